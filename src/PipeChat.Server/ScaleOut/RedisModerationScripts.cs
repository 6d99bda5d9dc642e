namespace PipeChat.Server.ScaleOut;

/// <summary>The Lua scripts of moderation (docs/scale-out.md): each change and each recall is atomic with its publish.</summary>
internal static class RedisModerationScripts
{
    /// <summary>
    /// KEYS: the room's moderation hash. ARGV: field, value ("" deletes), now (ms), channel,
    /// message. Drops ended entries, then makes the hash expire with its last entry (never while
    /// the room is read-only or someone is muted or banned until lifted), and publishes the change.
    /// </summary>
    public const string Change = """
        if ARGV[2] == '' then
          redis.call('HDEL', KEYS[1], ARGV[1])
        else
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        end
        local all = redis.call('HGETALL', KEYS[1])
        local now = tonumber(ARGV[3])
        local latest = 0
        local forever = false
        for i = 1, #all, 2 do
          local value = tonumber(all[i + 1])
          if all[i] == 'ro' or value == -1 then
            forever = true
          elseif value <= now then
            redis.call('HDEL', KEYS[1], all[i])
          elseif value > latest then
            latest = value
          end
        end
        if forever then
          redis.call('PERSIST', KEYS[1])
        elseif latest > 0 then
          redis.call('PEXPIREAT', KEYS[1], latest)
        end
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        return 1
        """;

    /// <summary>
    /// KEYS: the room's seq and history. ARGV: seq, tombstone json, the room's (sharded) channel, recall message.
    /// Returns 0 when the room never had that seq; else the kept entry (if any) becomes the
    /// tombstone with the same seq, epoch and time, the recall is published, and 1 is returned.
    /// </summary>
    public const string Recall = """
        local last = tonumber(redis.call('GET', KEYS[1]) or '0')
        local seq = tonumber(ARGV[1])
        if seq < 1 or seq > last then
          return 0
        end
        local old = redis.call('ZRANGEBYSCORE', KEYS[2], seq, seq)
        if #old > 0 then
          local head = string.match(old[1], '^%d+ %S+ %d+ ')
          if head then
            redis.call('ZREMRANGEBYSCORE', KEYS[2], seq, seq)
            redis.call('ZADD', KEYS[2], seq, head .. ARGV[2])
          end
        end
        redis.call('SPUBLISH', ARGV[3], ARGV[4])
        return 1
        """;
}
