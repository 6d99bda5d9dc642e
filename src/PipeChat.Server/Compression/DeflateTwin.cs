using System.Diagnostics;
using PipeChat.Server.Buffers;

namespace PipeChat.Server.Compression;

/// <summary>
/// The compressed twin of a shared frame, for recipients that negotiated permessage-deflate: kept
/// in the frame's generic twin slot (<see cref="SharedFrame.Twin"/>), so Buffers knows nothing of
/// compression and the frame compresses at most once whatever the number of recipients.
/// </summary>
internal static class DeflateTwin
{
    /// <summary>
    /// The frame to send to a recipient that negotiated permessage-deflate: the compressed twin
    /// for a data frame of at least the threshold (built on first call, once), otherwise the frame
    /// itself. <paramref name="maxWindowBits"/> is the largest window the recipient accepts; the
    /// twin (made with the codec's window) suits it when the payload fits in that window, since
    /// no back-reference can then reach further. While another thread builds the twin, or when
    /// compression does not pay, the plain frame goes out: RSV1 is per message.
    /// </summary>
    public static SharedFrame ForDeflateRecipient(this SharedFrame frame, DeflateCodec codec, int maxWindowBits)
    {
        var state = frame.TwinState;
        if (state == SharedFrame.TwinBuilt)
        {
            return FitsWindow(frame, maxWindowBits, codec) ? frame.Twin! : frame;
        }

        if (state != SharedFrame.TwinNone
            || frame.PayloadLength < codec.ThresholdBytes
            || ((int)frame.Opcode & 0x08) != 0
            || !FitsWindow(frame, maxWindowBits, codec))
        {
            return frame;
        }

        if (!frame.TryClaimTwin())
        {
            return frame.TwinState == SharedFrame.TwinBuilt ? frame.Twin! : frame;
        }

        var twin = codec.Compress(frame.Payload, frame.Opcode);
        frame.PublishTwin(twin);
        Debug.Assert(twin is null || twin.PayloadLength < frame.PayloadLength);
        return twin ?? frame;
    }

    private static bool FitsWindow(SharedFrame frame, int maxWindowBits, DeflateCodec codec)
        => maxWindowBits >= codec.WindowBits || frame.PayloadLength <= 1 << maxWindowBits;
}
