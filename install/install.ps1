<#
.SYNOPSIS
  Installs ftpflow into Wireshark on Windows: the extcap launcher and the Lua fields plugin.

.DESCRIPTION
  The Windows twin of install/install.sh (same choices, same manifest format). NOT RUN IN CI: it was written
  on Linux and has not been executed on Windows; report problems with the output of `tshark -G folders`.

  Where things go. Ask TShark (`tshark -G folders`):
    extcap, personal:  "Personal Extcap path" (printed by 4.2+), else %APPDATA%\Wireshark\extcap.
    extcap, -System:   "Global Extcap path" (4.2+) or "Extcap path" (4.0). Wireshark 4.4 moved the global folder
                       to <install>\extcap\wireshark; asking TShark gets that right.
    Lua plugin:        "Personal Lua Plugins" (else %APPDATA%\Wireshark\plugins), or "Global Lua Plugins".
  The extcap folder gets a generated ftpflow.bat that records the node.exe found now and calls this package's
  extcap\ftpflow.bat. Everything written is listed in a manifest (%LOCALAPPDATA%\ftpflow\installed-files.txt,
  or %ProgramData%\ftpflow with -System); -Uninstall removes exactly those files and the folders it created.

  Caveat: Wireshark up to 4.6 stops a Windows extcap with TerminateProcess on cmd.exe; node.exe survives it
  unless it notices the broken pipe itself.

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File install\install.ps1
  powershell -ExecutionPolicy Bypass -File install\install.ps1 -Uninstall
#>
[CmdletBinding()]
param(
  [switch]$System,
  [switch]$Uninstall,
  [string]$ExtcapDir,
  [string]$PluginsDir
)
$ErrorActionPreference = 'Stop'

$Root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$ManifestDir = if ($System) { Join-Path $env:ProgramData 'ftpflow' } else { Join-Path $env:LOCALAPPDATA 'ftpflow' }
$Manifest = Join-Path $ManifestDir 'installed-files.txt'
$Marker = 'written by ftpflow install\install.ps1'

function Remove-Installed {
  if (-not (Test-Path -LiteralPath $Manifest)) {
    Write-Output "ftpflow: nothing to uninstall ($Manifest not found)"
    return
  }
  $lines = Get-Content -LiteralPath $Manifest
  foreach ($line in $lines) {
    if ($line -like 'file *') {
      $file = $line.Substring(5)
      if (Test-Path -LiteralPath $file) { Remove-Item -LiteralPath $file -Force; Write-Output "removed $file" }
    }
  }
  Remove-Item -LiteralPath $Manifest -Force
  $dirs = @($lines | Where-Object { $_ -like 'dir *' } | ForEach-Object { $_.Substring(4) })
  [array]::Reverse($dirs)
  foreach ($dir in $dirs) {
    if ((Test-Path -LiteralPath $dir) -and -not (Get-ChildItem -LiteralPath $dir -Force | Select-Object -First 1)) {
      Remove-Item -LiteralPath $dir -Force
      Write-Output "removed $dir\"
    }
  }
}

if ($Uninstall) { Remove-Installed; exit 0 }

# --- Wireshark's version and folders ------------------------------------------------------------------------
$tshark = $env:TSHARK
if (-not $tshark) {
  $cmd = Get-Command tshark -ErrorAction SilentlyContinue
  if ($cmd) { $tshark = $cmd.Source }
  elseif (Test-Path (Join-Path $env:ProgramFiles 'Wireshark\tshark.exe')) { $tshark = Join-Path $env:ProgramFiles 'Wireshark\tshark.exe' }
}
$folders = @{}
$version = $null
if ($tshark) {
  $first = (& $tshark --version 2>$null | Select-Object -First 1)
  if ($first -match '(\d+\.\d+\.\d+)') { $version = $Matches[1] }
  foreach ($line in (& $tshark -G folders 2>$null)) {
    if ($line -match '^([^:]+):\s+(.+)$' -and -not $folders.ContainsKey($Matches[1])) { $folders[$Matches[1]] = $Matches[2].Trim() }
  }
}

if (-not $ExtcapDir) {
  if ($System) {
    $ExtcapDir = $folders['Global Extcap path']
    if (-not $ExtcapDir) { $ExtcapDir = $folders['Extcap path'] }
  } else {
    $ExtcapDir = $folders['Personal Extcap path']
    if (-not $ExtcapDir -and $version) { $ExtcapDir = Join-Path $env:APPDATA 'Wireshark\extcap' }
  }
}
if (-not $PluginsDir) {
  if ($System) { $PluginsDir = $folders['Global Lua Plugins'] }
  else {
    $PluginsDir = $folders['Personal Lua Plugins']
    if (-not $PluginsDir -and $version) { $PluginsDir = Join-Path $env:APPDATA 'Wireshark\plugins' }
  }
}
if (-not $ExtcapDir -or -not $PluginsDir) {
  throw "cannot tell where Wireshark looks (no tshark found); pass -ExtcapDir DIR -PluginsDir DIR"
}

# --- what we install ----------------------------------------------------------------------------------------
$launcherSrc = Join-Path $Root 'extcap\ftpflow.bat'
$luaSrc = Join-Path $Root 'wireshark\ftpflow.lua'
$dist = if ($env:FTPFLOW_DIST) { $env:FTPFLOW_DIST } else { Join-Path $Root 'dist' }
foreach ($need in @($launcherSrc, $luaSrc, (Join-Path $dist 'src\cli\main.js'))) {
  if (-not (Test-Path -LiteralPath $need)) { throw "$need is missing (run 'npm run build' in $Root first)" }
}
$node = $env:FTPFLOW_NODE
if (-not $node) {
  $cmd = Get-Command node -ErrorAction SilentlyContinue
  if (-not $cmd) { throw 'node.exe not found: install Node.js 20+ or set FTPFLOW_NODE' }
  $node = $cmd.Source
}
& $node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'
if ($LASTEXITCODE -ne 0) { throw "$node is older than Node.js 20" }

$launcherDst = Join-Path $ExtcapDir 'ftpflow.bat'
$luaDst = Join-Path $PluginsDir 'ftpflow.lua'

if ((Test-Path -LiteralPath $launcherDst) -and -not (Select-String -LiteralPath $launcherDst -SimpleMatch $Marker -Quiet)) {
  throw "$launcherDst exists and was not installed by ftpflow; remove it first"
}
if (Test-Path -LiteralPath $Manifest) { Remove-Installed | Out-Null }

$created = New-Object System.Collections.Generic.List[string]
function New-Folders([string]$dir) {
  $missing = New-Object System.Collections.Generic.List[string]
  $d = $dir
  while ($d -and -not (Test-Path -LiteralPath $d)) { $missing.Insert(0, $d); $d = Split-Path -Parent $d }
  foreach ($m in $missing) { New-Item -ItemType Directory -Path $m | Out-Null; $created.Add($m) }
}
New-Folders $ExtcapDir
New-Folders $PluginsDir
New-Folders $ManifestDir

# cmd.exe reads .bat files in the OEM code page; CRLF line ends avoid cmd's label bugs with LF-only files.
$bat = @(
  '@echo off',
  "rem ftpflow extcap launcher, $Marker for $Root; remove with install.ps1 -Uninstall",
  "set `"FTPFLOW_NODE=$node`"",
  $(if ($env:FTPFLOW_DIST) { "set `"FTPFLOW_DIST=$dist`"" } else { 'rem (FTPFLOW_DIST: default)' }),
  "call `"$launcherSrc`" %*",
  'exit /b %ERRORLEVEL%'
) -join "`r`n"
[System.IO.File]::WriteAllText($launcherDst, $bat + "`r`n", [System.Text.Encoding]::Default)
Copy-Item -LiteralPath $luaSrc -Destination $luaDst -Force

$manifestLines = @("# ftpflow install manifest (scope $(if ($System) { 'system' } else { 'personal' }), Wireshark $version, package $Root)")
$manifestLines += $created | ForEach-Object { "dir $_" }
$manifestLines += "file $launcherDst", "file $luaDst"
Set-Content -LiteralPath $Manifest -Value $manifestLines -Encoding UTF8

Write-Output "installed $launcherDst"
Write-Output "installed $luaDst"
Write-Output "manifest  $Manifest"

$probe = & $launcherDst --extcap-interfaces "--extcap-version=$(if ($version) { $version } else { '4.0' })" 2>$null
if ($probe -match '^interface \{value=ftpflow-') {
  Write-Output 'ok: the extcap lists its interfaces; restart Wireshark (or Capture > Refresh Interfaces) to see ftpflow-*'
} else {
  Write-Warning "$launcherDst did not list any interface; try it by hand: `"$launcherDst`" --extcap-interfaces"
}
