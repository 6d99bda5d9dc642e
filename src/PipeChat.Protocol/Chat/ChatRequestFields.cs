using System.Text.Json;

namespace PipeChat.Protocol.Chat;

/// <summary>Whether a field was absent, read, or present but ill-typed.</summary>
internal enum FieldState : byte
{
    Missing,
    Ok,
    Bad,
}

// Values 1..9 match ChatRequestType.
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
        PriorityState = NameState = ByState = FieldState.Missing;
        RoomId = Id = Inner = Epoch = Name = default;
        Priority = MessagePriority.Normal;
        By = 0;
    }
}
