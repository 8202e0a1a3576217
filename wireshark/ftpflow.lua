-- ftpflow.lua: shows ftpflow's packet comments as fields you can filter on and add as columns.
--
-- ftpflow writes one comment per packet of an FTP control or data connection, e.g.
--   ftpflow role=data session=7 mode=passive method=EPSV cmd=RETR arg="pub/file one.iso" dir=down control=10.0.0.2:50321->10.0.0.1:21 setup_frame=41 confidence=exact
-- Grammar: one line; the word `ftpflow`, then key=value pairs separated by single spaces. A value is bare
-- (no space, no `"`) or double-quoted with \" and \\ escapes. Unknown keys are kept as ftpflow.other.
--
-- Filters: ftpflow.session == 7 && ftpflow.role == "data"     ftpflow.arg contains "iso"     ftpflow.mode == "active"
-- Install: install/install.sh copies this file into the personal Lua plugins folder
-- (`tshark -G folders`, "Personal Lua Plugins"); or run tshark -X lua_script:ftpflow.lua.

if set_plugin_info then
  set_plugin_info({
    version = "0.1.0",
    description = "Fields from ftpflow packet comments (FTP data connections tied to their control sessions)",
  })
end

local proto = Proto("ftpflow", "ftpflow (FTP session annotation)")

local fields = {
  role = ProtoField.string("ftpflow.role", "Role"),
  session = ProtoField.uint32("ftpflow.session", "Session", base.DEC),
  mode = ProtoField.string("ftpflow.mode", "Mode"),
  method = ProtoField.string("ftpflow.method", "Setup method"),
  cmd = ProtoField.string("ftpflow.cmd", "Transfer command"),
  arg = ProtoField.string("ftpflow.arg", "Command argument"),
  dir = ProtoField.string("ftpflow.dir", "Direction"),
  control = ProtoField.string("ftpflow.control", "Control connection"),
  setup_frame = ProtoField.framenum("ftpflow.setup_frame", "Setup frame", base.NONE, frametype and frametype.REQUEST),
  confidence = ProtoField.string("ftpflow.confidence", "Confidence"),
  user = ProtoField.string("ftpflow.user", "User"),
  tls = ProtoField.string("ftpflow.tls", "TLS"),
  source = ProtoField.string("ftpflow.source", "Source"),
  fxp = ProtoField.string("ftpflow.fxp", "Third-party data connection (FXP/bounce)"),
  detected = ProtoField.string("ftpflow.detected", "Control session recognised by greeting"),
}
local other_field = ProtoField.string("ftpflow.other", "Other")
-- Keys whose field holds a number; a value that is not one goes to ftpflow.other instead.
local numeric = { session = true, setup_frame = true }

local field_list = { other_field }
for _, f in pairs(fields) do field_list[#field_list + 1] = f end
proto.fields = field_list

local malformed = ProtoExpert.new("ftpflow.malformed", "Malformed ftpflow comment",
                                  expert.group.MALFORMED, expert.severity.WARN)
proto.experts = { malformed }

local comment_field = Field.new("frame.comment")

local PREFIX = "ftpflow "

--- Parses one comment. Returns nil if it is not ours; else the list of {key, value} pairs read and,
--- if the text breaks the grammar, the reason (the pairs before the fault are still returned).
local function parse_comment(text)
  local line = text:match("^[^\r\n]*")
  if line:sub(1, #PREFIX) ~= PREFIX then return nil end
  local kv, pos, n = {}, #PREFIX + 1, #line
  while pos <= n do
    local key, after = line:match("^([%w_%.%-]+)=()", pos)
    if not key then return kv, "expected key=value at column " .. pos end
    pos = after
    local value
    if line:sub(pos, pos) == '"' then
      local parts = {}
      pos = pos + 1
      while true do
        local stop = line:find('[\\"]', pos)
        if not stop then return kv, "unterminated quoted value for " .. key end
        parts[#parts + 1] = line:sub(pos, stop - 1)
        if line:sub(stop, stop) == '"' then
          pos = stop + 1
          break
        end
        local escaped = line:sub(stop + 1, stop + 1)
        if escaped == '"' or escaped == "\\" then
          parts[#parts + 1] = escaped
        else -- not an escape the grammar knows: keep the text as written
          parts[#parts + 1] = "\\" .. escaped
        end
        pos = stop + 2
      end
      value = table.concat(parts)
    else
      value, pos = line:match('^([^ "]*)()', pos)
    end
    kv[#kv + 1] = { key, value }
    if pos <= n then
      if line:sub(pos, pos) ~= " " then return kv, "expected a space at column " .. pos end
      pos = pos + 1
      if pos > n then return kv, "trailing space" end
    end
  end
  return kv
end

local function add_pair(tree, key, value)
  local field = fields[key]
  local item
  if field and numeric[key] then
    local number = tonumber(value)
    if number and number >= 0 and number <= 4294967295 and number == math.floor(number) then
      item = tree:add(field, number)
    end
  elseif field then
    item = tree:add(field, value)
  end
  if not item then item = tree:add(other_field, key .. "=" .. value) end
  item:set_generated()
end

function proto.dissector(tvb, pinfo, tree)
  for _, comment in ipairs({ comment_field() }) do
    local text = comment.value
    if type(text) == "string" then
      local kv, err = parse_comment(text)
      if kv then
        local subtree = tree:add(proto, tvb(0, 0), "ftpflow: " .. text:match("^[^\r\n]*"):sub(#PREFIX + 1))
        for _, pair in ipairs(kv) do add_pair(subtree, pair[1], pair[2]) end
        if err then subtree:add_proto_expert_info(malformed, "Malformed ftpflow comment: " .. err) end
      end
    end
  end
end

register_postdissector(proto)
