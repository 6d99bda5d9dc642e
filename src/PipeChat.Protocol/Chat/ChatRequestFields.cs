using System.Text.Json;

namespace PipeChat.Protocol.Chat;

/// <summary>Whether a field was absent, read, or present but ill-typed.</summary>
internal enum FieldState : byte
{
    Missing,
    Ok,
    Bad,
}

// Values 1..14 match ChatRequestType.
/// <summary>The request's type as read, or why it is not one.</summary>
internal enum TypeState : byte
{
    Missing = 0,
    Join = ChatRequestType.Join,
    Leave = ChatRequestType.Leave,
    Notice = ChatRequestType.Notice,
    Room = ChatRequestType.Room,
    Broadcast = ChatRequestType.Broadcast,
    Query = ChatRequestType.Query,
    Ping = ChatRequestType.Ping,
    History = ChatRequestType.History,
    Refresh = ChatRequestType.Refresh,
    Mute = ChatRequestType.Mute,
    Ban = ChatRequestType.Ban,
    Recall = ChatRequestType.Recall,
    ReadOnly = ChatRequestType.ReadOnly,
    Count = ChatRequestType.Count,
    Unknown = 100,
    NotString = 101,
}

/// <summary>Everything one pass collected; validated against the type afterwards.</summary>
internal ref struct ChatRequestFields
{
    public TypeState Type;
    public FieldState RefState;
    public ReadOnlySpan<byte> Ref;
    public JsonTokenType DataKind;
    public ReadOnlySpan<byte> Data;

    public FieldState RoomIdState;
    public ReadOnlySpan<byte> RoomId;
    public FieldState IdState;
    public ReadOnlySpan<byte> Id;
    public FieldState InnerState;
    public ReadOnlySpan<byte> Inner;
    public FieldState SinceState;
    public long Since;
    public FieldState BeforeState;
    public long Before;
    public FieldState LimitState;
    public int Limit;
    public FieldState EpochState;
    public ReadOnlySpan<byte> Epoch;
    public FieldState TokenState;
    public ReadOnlySpan<byte> Token;
    public FieldState SecondsState;
    public long Seconds;
    public FieldState SeqState;
    public long Seq;
    public FieldState OnState;
    public bool On;
    public FieldState PriorityState;
    public MessagePriority Priority;
    public FieldState NameState;
    public ReadOnlySpan<byte> Name;
    public FieldState ByState;
    public long By;

    /// <summary>A repeated "data" replaces everything the previous one set.</summary>
    public void ClearInner()
    {
        RoomIdState = IdState = InnerState = SinceState = BeforeState = LimitState = EpochState = FieldState.Missing;
        TokenState = SecondsState = SeqState = OnState = FieldState.Missing;
        PriorityState = NameState = ByState = FieldState.Missing;
        RoomId = Id = Inner = Epoch = Token = Name = default;
        Priority = MessagePriority.Normal;
        By = 0;
    }
}
