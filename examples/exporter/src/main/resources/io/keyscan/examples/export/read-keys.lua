-- Reads the keys of one export batch in one atomic call: each key's type, TTL and, within limits, its value.
-- KEYS: the keys (on a cluster, all in one hash slot).
-- ARGV[1]: 'meta' (type and TTL only), 'values' or 'dump'.
-- ARGV[2]: the only type to read ('' for all); keys of other types are answered {'skip'}.
-- ARGV[3], ARGV[4]: the largest collection (elements) and string (bytes) read whole; larger ones are answered
--   without their value, and the exporter reads them in chunks.
-- ARGV[5], ARGV[6]: elements and string bytes this call may read in all; keys past the budget are answered
--   without their value, and the exporter reads them again, alone.
-- Answers one array per key: {type, pttl, size, value}; {'none'} for a key that no longer exists. size is in
-- elements (bytes for a string), -1 for a type this script cannot size (a module type); value is nil when not read.
-- A stream's value is {last-generated-id, XRANGE - +}.
local mode, wanted = ARGV[1], ARGV[2]
local maxElements, maxBytes = tonumber(ARGV[3]), tonumber(ARGV[4])
local elementBudget, byteBudget = tonumber(ARGV[5]), tonumber(ARGV[6])
local sizeCommand = {string = 'STRLEN', hash = 'HLEN', list = 'LLEN', set = 'SCARD', zset = 'ZCARD', stream = 'XLEN'}

local function lastId(key)
  local info = redis.call('XINFO', 'STREAM', key)
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      return info[i + 1]
    end
  end
  return redis.error_reply('XINFO STREAM answered no last-generated-id')
end

local function read(key, t)
  if mode == 'dump' then
    return redis.call('DUMP', key)
  elseif t == 'string' then
    return redis.call('GET', key)
  elseif t == 'hash' then
    return redis.call('HGETALL', key)
  elseif t == 'list' then
    return redis.call('LRANGE', key, 0, -1)
  elseif t == 'set' then
    return redis.call('SMEMBERS', key)
  elseif t == 'zset' then
    return redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  end
  return {lastId(key), redis.call('XRANGE', key, '-', '+')}
end

local answers = {}
for i, key in ipairs(KEYS) do
  local t = redis.call('TYPE', key)['ok']
  if t == 'none' then
    answers[i] = {'none'}
  elseif wanted ~= '' and t ~= wanted then
    answers[i] = {'skip'}
  elseif mode == 'meta' then
    answers[i] = {t, redis.call('PTTL', key)}
  else
    local ttl = redis.call('PTTL', key)
    local command = sizeCommand[t]
    local size = -1
    local fits
    if command == nil then
      fits = mode == 'dump' -- a module type: only DUMP can carry it, and its size is unknown
    else
      size = redis.call(command, key)
      if t == 'string' then
        fits = size <= maxBytes and size <= byteBudget
      else
        fits = size <= maxElements and size <= elementBudget
      end
    end
    if fits then
      if t == 'string' then
        byteBudget = byteBudget - size
      elseif size > 0 then
        elementBudget = elementBudget - size
      end
      answers[i] = {t, ttl, size, read(key, t)}
    else
      answers[i] = {t, ttl, size, false}
    end
  end
end
return answers
