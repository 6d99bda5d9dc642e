using System.Runtime.CompilerServices;

namespace PipeChat.Protocol.Handshake;

/// <summary>Where one header line's name and trimmed value sit in the request head.</summary>
internal readonly struct HeaderEntry(int nameStart, int nameLength, int valueStart, int valueLength)
{
    public readonly int NameStart = nameStart;
    public readonly int NameLength = nameLength;
    public readonly int ValueStart = valueStart;
    public readonly int ValueLength = valueLength;
}

/// <summary>Fixed-capacity header table stored inline, so parsing never allocates.</summary>
[InlineArray(Capacity)]
internal struct HeaderTable
{
    /// <summary>Most header lines a request may have; one more is refused with 431.</summary>
    public const int Capacity = 64;

    private HeaderEntry _element0;
}

/// <summary>
/// Offsets of everything the parser found in a request head. Known headers are recorded as
/// index + 1 into <see cref="Headers"/> so that 0 (the default) means absent.
/// </summary>
internal struct RequestLayout
{
    public int PathStart;
    public int PathLength;
    public int QueryStart;
    public int QueryLength;
    public int HeaderCount;
    public int HostIndex;
    public int OriginIndex;
    public int KeyIndex;
    public int VersionIndex;
    public int ExtensionsIndex;
    public int MethodLength;

    /// <summary>Only when the caller allows request bodies: the request is a POST (a GET never has a body).</summary>
    public bool IsPost;
    public int ContentLengthIndex;
    public long ContentLength;
    public int TransferEncodingIndex;
    public HeaderTable Headers;
}
