namespace PipeChat.Server.ScaleOut;

/// <summary>
/// The Lua scripts: each runs atomically in Redis, so a room's seq, its history and the order in
/// which its messages are published cannot disagree. A history entry (and a published room
/// message) is "seq epoch storedAtMs json".
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// KEYS: seq, history, epoch. ARGV: json before the seq, json after it, epoch if the room has
    /// none, history size, key lifetime (s), channel, now (ms). Returns { seq, epoch }.
    /// </summary>
    public const string SendRoom = """
        redis.call('SET', KEYS[3], ARGV[3], 'NX')
        local epoch = redis.call('GET', KEYS[3])
        local seq = redis.call('INCR', KEYS[1])
        local entry = seq .. ' ' .. epoch .. ' ' .. ARGV[7] .. ' ' .. ARGV[1] .. seq .. ARGV[2]
        local size = tonumber(ARGV[4])
        if size > 0 then
          redis.call('ZADD', KEYS[2], seq, entry)
          redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(size + 1))
          redis.call('EXPIRE', KEYS[2], ARGV[5])
        end
        redis.call('EXPIRE', KEYS[1], ARGV[5])
        redis.call('EXPIRE', KEYS[3], ARGV[5])
        redis.call('PUBLISH', ARGV[6], entry)
        return { seq, epoch }
        """;

    /// <summary>
    /// KEYS: seq, history, epoch. ARGV: epoch if the room has none, seq to read after, most
    /// entries, key lifetime (s). Returns { epoch, last seq, entries with seq &gt; ARGV[2] }.
    /// </summary>
    public const string ReadRoom = """
        if redis.call('SET', KEYS[3], ARGV[1], 'NX') then
          redis.call('EXPIRE', KEYS[3], ARGV[4])
        end
        local epoch = redis.call('GET', KEYS[3])
        local last = tonumber(redis.call('GET', KEYS[1]) or '0')
        local entries = {}
        if tonumber(ARGV[3]) > 0 then
          entries = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[2], '+inf', 'LIMIT', 0, ARGV[3])
        end
        return { epoch, last, entries }
        """;

    /// <summary>KEYS: history, epoch. ARGV: before seq, most entries. Returns { epoch or false, newest-first entries with seq &lt; before }.</summary>
    public const string HistoryPage = """
        local epoch = redis.call('GET', KEYS[2])
        local entries = redis.call('ZREVRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '-inf', 'LIMIT', 0, ARGV[2])
        return { epoch, entries }
        """;

    /// <summary>KEYS: a presence hash. ARGV: field, delta, lifetime (s). Adds delta; drops the field at 0.</summary>
    public const string Count = """
        local n = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
        if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
        redis.call('EXPIRE', KEYS[1], ARGV[3])
        return n
        """;

    /// <summary>KEYS: nodes. ARGV: node id, lifetime (s). Records the heartbeat at Redis's clock; forgets nodes silent for 4 lifetimes.</summary>
    public const string Heartbeat = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZADD', KEYS[1], now, ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 4000 * tonumber(ARGV[2]))
        return now
        """;

    /// <summary>KEYS: nodes. ARGV: user id, lifetime (s). Connections of the user on every live node.</summary>
    public const string Online = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local nodes = redis.call('ZRANGEBYSCORE', KEYS[1], now - 1000 * tonumber(ARGV[2]), '+inf')
        local total = 0
        for _, node in ipairs(nodes) do
          local c = redis.call('HGET', 'pipechat:node:' .. node .. ':users', ARGV[1])
          if c then total = total + tonumber(c) end
        end
        return total
        """;

    /// <summary>KEYS: nodes. ARGV: room id, lifetime (s), most ids. Returns { users counted per node, ids… }.</summary>
    public const string Members = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local nodes = redis.call('ZRANGEBYSCORE', KEYS[1], now - 1000 * tonumber(ARGV[2]), '+inf')
        local max = tonumber(ARGV[3])
        local count = 0
        local seen = {}
        local ids = {}
        for _, node in ipairs(nodes) do
          local key = 'pipechat:node:' .. node .. ':room:' .. ARGV[1]
          count = count + redis.call('HLEN', key)
          if #ids < max then
            for _, id in ipairs(redis.call('HRANDFIELD', key, max)) do
              if not seen[id] and #ids < max then
                seen[id] = true
                ids[#ids + 1] = id
              end
            end
          end
        end
        local result = { count }
        for _, id in ipairs(ids) do result[#result + 1] = id end
        return result
        """;
}
