using Canary.Contracts.Responses;

namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Values read from the current document, held back until it proves well formed.</summary>
internal struct DocumentFields
{
    public TokenCounts Tokens;
    public ScanFlags Flags;
    public ResponseDialect Dialect;
    public EventKind Event;
    public FinishReason Finish;
    public ResponsesStatus Status;
    public FinishReason IncompleteReason;
    public bool Refusal;
    public bool HasContent;
    public bool HasError;
    public bool PolicyError;
    public bool RootPolicyCode;
    public bool RootDeltaText;
    public bool ToolCallItem;
    public bool SawChoices;
    public bool SawChoiceText;
    public bool ModelSeen;
    public bool ModelUsable;
    public int ModelLength;
    public ResponseModelNameBuffer Model;
}
