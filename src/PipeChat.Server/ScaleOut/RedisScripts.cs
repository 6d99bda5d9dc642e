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
    /// none, history size, key lifetime (s), channel, now (ms), 1 to publish here (0: the caller
    /// publishes the entry itself, after WAIT). Returns { seq, epoch, entry }. The channel is
    /// sharded and carries the room's hash tag, so on a cluster it lives in the script's slot.
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
        if ARGV[8] == '1' then
          redis.call('SPUBLISH', ARGV[6], entry)
        end
        return { seq, epoch, entry }
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

    /// <summary>
    /// KEYS: this node's room hash (user → connections), the room's node hash (node → connections),
    /// the room's held-leave hash (user → leaves held by the grace), all in the room's slot. ARGV:
    /// user, delta (+1 join / -1 leave), key lifetime (s), node id, connection id, presence limit,
    /// room channel, 1 to hold a leave (a dropped connection: <see cref="ReleaseLeave"/> publishes
    /// it after the grace unless a join takes it first), held-leave lifetime (s). A join that
    /// finds a held leave of its user takes it and publishes nothing. Counts the change and, when the room
    /// (cluster-wide, with the member) has at most the presence limit of connections, publishes the
    /// presence event on the room's channel: "J|L count node connection user". Returns the
    /// room's connections after the change, or -1 when a leave found nothing to remove (this
    /// node's presence was reaped or rewritten meanwhile: no event, so none is sent twice).
    /// </summary>
    public const string Presence = """
        local delta = tonumber(ARGV[2])
        local here = redis.call('HINCRBY', KEYS[2], ARGV[4], delta)
        local n = redis.call('HINCRBY', KEYS[1], ARGV[1], delta)
        if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
        if here <= 0 then redis.call('HDEL', KEYS[2], ARGV[4]) end
        redis.call('EXPIRE', KEYS[1], ARGV[3])
        redis.call('EXPIRE', KEYS[2], ARGV[3])
        if here < 0 or n < 0 then return -1 end
        local total = 0
        for _, c in ipairs(redis.call('HVALS', KEYS[2])) do total = total + tonumber(c) end
        if delta < 0 and ARGV[8] == '1' then
          redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
          redis.call('EXPIRE', KEYS[3], ARGV[9])
          return total
        end
        if delta > 0 then
          local held = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
          if held > 0 then
            if held == 1 then redis.call('HDEL', KEYS[3], ARGV[1]) else redis.call('HINCRBY', KEYS[3], ARGV[1], -1) end
            return total
          end
        end
        local with = total
        if delta < 0 then with = total + 1 end
        if with <= tonumber(ARGV[6]) then
          local kind = 'J '
          if delta < 0 then kind = 'L ' end
          redis.call('SPUBLISH', ARGV[7], kind .. total .. ' ' .. ARGV[4] .. ' ' .. ARGV[5] .. ' ' .. ARGV[1])
        end
        return total
        """;

    /// <summary>
    /// KEYS: the room's node hash, the room's held-leave hash. ARGV: user, presence limit, room
    /// channel, node id, connection id. The grace of a dropped connection ended: unless a join
    /// took the held leave meanwhile, takes it and publishes the leave event (within the presence
    /// limit) with the room's count of now. Returns 1 when it published or would have.
    /// </summary>
    public const string ReleaseLeave = """
        local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        if held <= 0 then return 0 end
        if held == 1 then redis.call('HDEL', KEYS[2], ARGV[1]) else redis.call('HINCRBY', KEYS[2], ARGV[1], -1) end
        local total = 0
        for _, c in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(c) end
        if total + 1 <= tonumber(ARGV[2]) then
          redis.call('SPUBLISH', ARGV[3], 'L ' .. total .. ' ' .. ARGV[4] .. ' ' .. ARGV[5] .. ' ' .. ARGV[1])
        end
        return 1
        """;

    /// <summary>
    /// KEYS: the room's node hash, the dead (or stopping) node's room hash, both in the room's
    /// slot. ARGV: node id, presence limit, room channel. Drops the node's connections from the
    /// room's count and, where the room (with them) was within the presence limit, publishes one
    /// leave event per connection ("L count - 0 user"); deletes the node's room hash.
    /// </summary>
    public const string ReapRoom = """
        local limit = tonumber(ARGV[2])
        local mine = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
        redis.call('HDEL', KEYS[1], ARGV[1])
        if mine > 0 then
          local total = 0
          for _, c in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(c) end
          if total < limit then
            local count = total + mine
            local users = redis.call('HGETALL', KEYS[2])
            for i = 1, #users, 2 do
              for k = 1, tonumber(users[i + 1]) do
                if count > total then
                  count = count - 1
                  if count < limit then
                    redis.call('SPUBLISH', ARGV[3], 'L ' .. count .. ' - 0 ' .. users[i])
                  end
                end
              end
            end
          end
        end
        redis.call('DEL', KEYS[2])
        return mine
        """;

    /// <summary>
    /// KEYS: nodes. ARGV: node id, lifetime (s). Records the heartbeat at Redis's clock and takes
    /// every node silent for a lifetime out of the set (the caller reaps their presence, room by
    /// room, since on a cluster their keys live in other slots: only the node that removed them
    /// does). Returns { now, 1 if this node was still in the set, dead node ids… }.
    /// </summary>
    public const string Heartbeat = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local result = { now, 0 }
        if redis.call('ZSCORE', KEYS[1], ARGV[1]) then result[2] = 1 end
        for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - 1000 * tonumber(ARGV[2]))) do
          if node ~= ARGV[1] then
            redis.call('ZREM', KEYS[1], node)
            result[#result + 1] = node
          end
        end
        redis.call('ZADD', KEYS[1], now, ARGV[1])
        return result
        """;

    /// <summary>KEYS: nodes. ARGV: lifetime (s). The ids of the live nodes (heartbeat within a lifetime, Redis time).</summary>
    public const string LiveNodes = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        return redis.call('ZRANGEBYSCORE', KEYS[1], now - 1000 * tonumber(ARGV[1]), '+inf')
        """;

    /// <summary>KEYS: the room hash (user → connections) of every live node, all in the room's slot. ARGV: most ids. Returns { users counted per node, ids… }.</summary>
    public const string Members = """
        local max = tonumber(ARGV[1])
        local count = 0
        local seen = {}
        local ids = {}
        for _, key in ipairs(KEYS) do
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
