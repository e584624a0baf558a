using System.Text;

namespace HealthActors.Grains.Chat;

/// <summary>
/// Watches the start of a streamed model reply for <see cref="PromptBuilder.EmergencyMarker"/>. Text is held back
/// only until it can no longer be the marker, so ordinary replies still stream; when the marker is there it is
/// dropped and the emergency guidance goes out first, so the patient never sees the raw marker.
/// </summary>
public sealed class EmergencyMarker(string guidance)
{
    private readonly StringBuilder _pending = new();
    private readonly StringBuilder _emitted = new();
    private bool _decided;
    // The blank line between the guidance and the model's words goes out with the first of those words, so a reply
    // that is only the marker does not end in an empty paragraph.
    private bool _separate;

    public bool Fired { get; private set; }

    /// <summary>Everything let through so far: what the stored answer must be.</summary>
    public string Emitted => _emitted.ToString();

    public IEnumerable<string> Accept(string piece)
    {
        if (_decided) return Emit(piece);
        _pending.Append(piece);
        var head = _pending.ToString().TrimStart();
        const string marker = PromptBuilder.EmergencyMarker;
        if (head.Length < marker.Length && marker.StartsWith(head, StringComparison.OrdinalIgnoreCase)) return [];
        _decided = true;
        _pending.Clear();
        if (!head.StartsWith(marker, StringComparison.OrdinalIgnoreCase)) return Emit(head);
        Fired = true;
        _separate = true;
        var rest = head[marker.Length..].TrimStart();
        return [.. EmitGuidance(), .. Emit(rest)];
    }

    /// <summary>The end of the reply: a short reply still held back goes out as it is.</summary>
    public IEnumerable<string> Flush()
    {
        if (_decided) return [];
        _decided = true;
        var head = _pending.ToString();
        _pending.Clear();
        var trimmed = head.TrimStart();
        if (trimmed.Length > 0 && trimmed.Equals(PromptBuilder.EmergencyMarker, StringComparison.OrdinalIgnoreCase))
        {
            Fired = true;
            return EmitGuidance();
        }
        return head.Length > 0 ? Emit(head) : [];
    }

    private string[] EmitGuidance()
    {
        _emitted.Append(guidance);
        _separate = true;
        return [guidance];
    }

    private string[] Emit(string text)
    {
        if (_separate)
        {
            text = text.TrimStart();
            if (text.Length == 0) return [];
            text = "\n\n" + text;
            _separate = false;
        }
        _emitted.Append(text);
        return [text];
    }
}
