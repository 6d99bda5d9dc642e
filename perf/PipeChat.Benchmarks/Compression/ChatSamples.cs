using System.Text;

namespace PipeChat.Benchmarks.Compression;

/// <summary>
/// Typical chat JSON as PipeChat sends it: a private notice, room messages (a short comment and a
/// long question, no repeated sentence in either), and a history reply of 20 room messages.
/// </summary>
internal static class ChatSamples
{
    public static readonly string[] Names = ["notice", "room", "room-long", "history"];

    public static byte[] Get(string name) => name switch
    {
        "notice" => Encoding.UTF8.GetBytes("""{"type":"notice","from":"alice","data":{"info":"在吗？明天下午三点开会 📅","at":1732680000123}}"""),
        "room" => Room(1, "主播好！这个多少钱？有优惠吗 👏 已经下单了，什么时候发货到上海？"),
        "room-long" => Room(2, "老师讲得真好！第二题我还是没听懂：为什么要先除以二，再把两边同时平方？"
            + "The second step confuses me — is it because the function is symmetric around zero? "
            + "还有作业是明天交还是周五交？我们小组想把报告改成中英双语的 🙏 谢谢！"),
        "history" => History(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static byte[] Room(int seq, string text) => Encoding.UTF8.GetBytes(RoomJson(seq, "viewer" + (seq * 7919 % 1000), text));

    private static string RoomJson(int seq, string from, string text)
        => "{\"type\":\"room\",\"data\":{\"roomid\":\"live-42\",\"from\":\"" + from + "\",\"seq\":" + (1000 + seq)
           + ",\"ts\":" + (1732680000000 + (seq * 1337)) + ",\"data\":{\"text\":\"" + text + "\",\"kind\":\"text\"}}}";

    private static byte[] History()
    {
        string[] texts = ["哈哈哈", "主播好", "666", "这个颜色好看", "已下单 🎉", "明天还播吗？", "hello from Beijing", "支持一下", "太好看了😂", "多少钱", "来了来了", "谢谢老师"];
        var messages = Enumerable.Range(0, 20).Select(i => RoomJson(i, "viewer" + (i * 7919 % 1000), texts[i % texts.Length] + " " + i));
        return Encoding.UTF8.GetBytes("{\"type\":\"history\",\"data\":{\"roomid\":\"live-42\",\"epoch\":\"9f2c41d07a5be813\",\"more\":true,\"messages\":[" + string.Join(',', messages) + "]},\"ref\":\"h1\"}");
    }
}
