using System.Text;

namespace PipeChat.LoadTest.Scenarios;

/// <summary>
/// Deterministic chat-like text of a given UTF-8 length: words and phrases of a live-stream comment
/// room (Chinese, English, emoji) in a fixed pseudo-random order. It compresses like chat does —
/// repeated words, mixed scripts — not like a run of one letter. No JSON escaping is needed.
/// </summary>
public static class ChatText
{
    private static readonly string[] s_words =
    [
        "主播好", "哈哈哈", "太好看了", "这个多少钱", "已下单", "666", "来了来了", "支持一下", "什么时候发货", "有优惠吗",
        "谢谢", "好的", "明天见", "今天的直播", "老师讲得真好", "听懂了", "再讲一遍", "第二题", "答案是B", "同意",
        "hello", "hi everyone", "lol", "nice", "how much", "shipping to Shanghai?", "thanks", "great stream", "see you tomorrow", "+1",
        "ok", "question:", "price", "link please", "👍", "🎉", "😂", "❤️", "🙏", "🔥",
        "the", "is", "it", "and", "a", "to", "我", "你", "的", "了",
    ];

    public static string Generate(int utf8Bytes)
    {
        var random = new Random(20261130);
        var builder = new StringBuilder(utf8Bytes);
        var length = 0;
        while (true)
        {
            var word = s_words[random.Next(s_words.Length)];
            var size = Encoding.UTF8.GetByteCount(word) + 1;
            if (length + size > utf8Bytes)
            {
                break;
            }

            builder.Append(word).Append(' ');
            length += size;
        }

        return builder.Append('.', utf8Bytes - length).ToString();
    }
}
