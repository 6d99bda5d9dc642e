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

    /// <summary>
    /// KEYS: this node's room hash (user → connections), the room's node hash (node → connections),
    /// this node's room set. ARGV: user, delta (+1 join / -1 leave), key lifetime (s), node id,
    /// connection id, presence limit, room channel, room id. Counts the change and, when the room
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
        if here <= 0 then
          redis.call('HDEL', KEYS[2], ARGV[4])
          redis.call('SREM', KEYS[3], ARGV[8])
        else
          redis.call('SADD', KEYS[3], ARGV[8])
        end
        redis.call('EXPIRE', KEYS[1], ARGV[3])
        redis.call('EXPIRE', KEYS[2], ARGV[3])
        redis.call('EXPIRE', KEYS[3], ARGV[3])
        if here < 0 or n < 0 then return -1 end
        local total = 0
        for _, c in ipairs(redis.call('HVALS', KEYS[2])) do total = total + tonumber(c) end
        local with = total
        if delta < 0 then with = total + 1 end
        if with <= tonumber(ARGV[6]) then
          local kind = 'J '
          if delta < 0 then kind = 'L ' end
          redis.call('PUBLISH', ARGV[7], kind .. total .. ' ' .. ARGV[4] .. ' ' .. ARGV[5] .. ' ' .. ARGV[1])
        end
        return total
        """;

    /// <summary>
    /// Lua: reap(node, limit) removes a dead (or stopping) node's presence: for every room it had
    /// members in, drops its connections from the room's count and, where the room (with them)
    /// was within the presence limit, publishes one leave event per connection ("L count - 0
    /// user"); then deletes the node's keys.
    /// </summary>
    private const string Reap = """
        local function reap(node, limit)
          local prefix = 'pipechat:node:' .. node
          for _, room in ipairs(redis.call('SMEMBERS', prefix .. ':rooms')) do
            local nodesKey = 'pipechat:room:' .. room .. ':nodes'
            local mine = tonumber(redis.call('HGET', nodesKey, node) or '0')
            redis.call('HDEL', nodesKey, node)
            local usersKey = prefix .. ':room:' .. room
            if mine > 0 then
              local total = 0
              for _, c in ipairs(redis.call('HVALS', nodesKey)) do total = total + tonumber(c) end
              if total < limit then
                local count = total + mine
                local users = redis.call('HGETALL', usersKey)
                for i = 1, #users, 2 do
                  for k = 1, tonumber(users[i + 1]) do
                    if count > total then
                      count = count - 1
                      if count < limit then
                        redis.call('PUBLISH', 'pipechat:room:' .. room, 'L ' .. count .. ' - 0 ' .. users[i])
                      end
                    end
                  end
                end
              end
            end
            redis.call('DEL', usersKey)
          end
          redis.call('DEL', prefix .. ':rooms', prefix .. ':users')
        end

        """;

    /// <summary>
    /// KEYS: nodes. ARGV: node id, lifetime (s), presence limit. Records the heartbeat at Redis's
    /// clock and reaps every node silent for a lifetime (leave events for its members; a
    /// tombstone tells it, should it come back, that it was reaped). Returns { now, 1 if this
    /// node had been reaped }.
    /// </summary>
    public const string Heartbeat = Reap + """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local lifetime = tonumber(ARGV[2])
        local limit = tonumber(ARGV[3])
        for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - 1000 * lifetime)) do
          if node ~= ARGV[1] then
            redis.call('ZREM', KEYS[1], node)
            reap(node, limit)
            redis.call('SET', 'pipechat:node:' .. node .. ':reaped', '1', 'EX', 4 * lifetime)
          end
        end
        redis.call('ZADD', KEYS[1], now, ARGV[1])
        local reaped = redis.call('DEL', 'pipechat:node:' .. ARGV[1] .. ':reaped')
        return { now, reaped }
        """;

    /// <summary>KEYS: nodes. ARGV: node id, presence limit. A node stopping: leaves at once, with leave events for its members.</summary>
    public const string Leave = Reap + """
        redis.call('ZREM', KEYS[1], ARGV[1])
        reap(ARGV[1], tonumber(ARGV[2]))
        return 0
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
