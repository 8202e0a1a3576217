@echo off
rem ftpflow extcap launcher (Windows). Wireshark runs every executable in its extcap folders; this one runs
rem   node <root>\dist\src\cli\main.js extcap ARGS...
rem where <root> is the folder above this file. install\install.ps1 writes a small .bat into the extcap folder
rem that sets FTPFLOW_NODE and calls this file. Environment, all optional:
rem   FTPFLOW_NODE  the node.exe to run       FTPFLOW_DIST  the compiled tree (default <root>\dist)
rem Nothing here may print on stdout: Wireshark parses it.
rem Caveat: Wireshark up to 4.6 stops a Windows extcap with TerminateProcess on this cmd.exe, not on node.exe;
rem the Node side must notice the broken pipe and exit by itself.
setlocal
for %%I in ("%~dp0..") do set "FTPFLOW_ROOT=%%~fI"
if not defined FTPFLOW_DIST set "FTPFLOW_DIST=%FTPFLOW_ROOT%\dist"
if not defined FTPFLOW_NODE (
  for %%N in (node.exe) do set "FTPFLOW_NODE=%%~$PATH:N"
)
if not defined FTPFLOW_NODE if exist "%ProgramFiles%\nodejs\node.exe" set "FTPFLOW_NODE=%ProgramFiles%\nodejs\node.exe"

if not defined FTPFLOW_NODE (
  set "REASON=node.exe (Node.js 20 or newer) not found; set FTPFLOW_NODE or reinstall with install\install.ps1"
  goto fail
)
if not exist "%FTPFLOW_DIST%\src\cli\main.js" (
  set "REASON=%FTPFLOW_DIST%\src\cli\main.js is missing; run 'npm run build' in %FTPFLOW_ROOT%"
  goto fail
)
"%FTPFLOW_NODE%" "%FTPFLOW_DIST%\src\cli\main.js" extcap %*
exit /b %ERRORLEVEL%

:fail
rem Cannot start: one line on stderr, and for a capture connect to Wireshark's pipe and close it at once, so
rem that Wireshark shows the message instead of waiting for the pipe.
echo ftpflow: %REASON% 1>&2
set "CAPTURE="
set "FIFO="
:scan
if "%~1"=="" goto scanned
if "%~1"=="--capture" set "CAPTURE=yes"
if "%~1"=="--fifo" set "FIFO=%~2"
shift
goto scan
:scanned
if defined CAPTURE if defined FIFO (type nul > "%FIFO%") 2>nul
exit /b 1
