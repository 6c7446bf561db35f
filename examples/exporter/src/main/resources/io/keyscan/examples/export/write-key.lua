-- Writes one line of an export file (one key, or one part of a big value) in one atomic call.
-- KEYS[1]: the key.
-- ARGV[1]: the type (string, hash, list, set, zset, stream) or 'dump'.
-- ARGV[2]: 'first' for a key's first line, 'next' for a line continuing its value.
-- ARGV[3]: 'replace' to replace an existing key, 'fail' to refuse it (checked on the first line).
-- ARGV[4]: the TTL in milliseconds, -1 for none; set with the last line.
-- ARGV[5]: 'last' if the value ends with this line, 'more' if more lines follow.
-- ARGV[6]: a stream's last generated ID ('' if none); other types ignore it.
-- ARGV[7..]: the value: a string's bytes; hash field, value, ...; list items; set members; zset score, member, ...;
--   stream entries as id, number of fields and values, field, value, ...; a DUMP payload.
local key = KEYS[1]
local kind, phase, onExisting = ARGV[1], ARGV[2], ARGV[3]
local ttl, last, lastId = tonumber(ARGV[4]), ARGV[5] == 'last', ARGV[6]
local first = 7
local n = #ARGV
local SLICE = 500 -- arguments per command: unpack() has a limit, and smaller calls keep replies small

if phase == 'first' and redis.call('EXISTS', key) == 1 then
  if onExisting ~= 'replace' then
    return redis.error_reply('BUSYKEY the key already exists')
  end
  redis.call('UNLINK', key)
end

local function sliced(command, step)
  local i = first
  while i <= n do
    local j = math.min(i + SLICE * step - 1, n)
    redis.call(command, key, unpack(ARGV, i, j))
    i = j + 1
  end
end

if kind == 'dump' then
  -- RESTORE sets the TTL itself (0: none)
  redis.call('RESTORE', key, ttl > 0 and ttl or 0, ARGV[first])
  return 1
elseif kind == 'string' then
  if phase == 'first' then
    redis.call('SET', key, ARGV[first])
  else
    redis.call('APPEND', key, ARGV[first])
  end
elseif kind == 'hash' then
  sliced('HSET', 2)
elseif kind == 'list' then
  sliced('RPUSH', 1)
elseif kind == 'set' then
  sliced('SADD', 1)
elseif kind == 'zset' then
  sliced('ZADD', 2)
elseif kind == 'stream' then
  local i = first
  while i <= n do
    local fields = tonumber(ARGV[i + 1])
    redis.call('XADD', key, ARGV[i], unpack(ARGV, i + 2, i + 1 + fields))
    i = i + 2 + fields
  end
  if redis.call('EXISTS', key) == 0 then
    -- a stream with no entries exists in Redis (all deleted, or made by XGROUP CREATE ... MKSTREAM); XADD cannot
    -- make one, a consumer group created and destroyed again can
    redis.call('XGROUP', 'CREATE', key, 'keyscan-import', '$', 'MKSTREAM')
    redis.call('XGROUP', 'DESTROY', key, 'keyscan-import')
  end
  if lastId ~= '' then
    redis.call('XSETID', key, lastId)
  end
else
  return redis.error_reply('ERR unknown type ' .. kind)
end

if last and ttl >= 0 then
  redis.call('PEXPIRE', key, ttl)
end
return 1
