using System.Buffers;

namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Push tokenizer that validates one JSON document fed in pieces split at any byte, with constant memory.</summary>
/// <remarks>
/// Unlike Utf8JsonReader, which must be handed an unfinished token again together with the next block (so a long string
/// would have to be buffered whole), this keeps only a byte-level state and the first
/// <see cref="CaptureCapacity"/> decoded bytes of the current string. Not thread-safe; allocates nothing after
/// construction. Grammar follows RFC 8259; strings are checked to be well-formed UTF-8 (shortest forms, no surrogates).
/// </remarks>
internal sealed class JsonStreamTokenizer
{
    public const int MaxDepth = 64;
    public const int CaptureCapacity = 128;

    // Bytes that can be copied through a string without a state change: printable ASCII and DEL, minus '"' and '\'.
    private static readonly SearchValues<byte> PlainStringBytes = SearchValues.Create(CreatePlainStringBytes());

    private readonly IJsonTokenHandler _handler;

    private State _state;
    private JsonTokenizerStatus _failure;
    private bool _started;

    // Bit (d - 1) is set when the container at depth d is an object.
    private ulong _containers;
    private int _depth;

    private CaptureBuffer _capture;
    private int _captureLength;
    private bool _captureExact;
    private long _stringLength;
    private bool _isKey;

    private int _hexCount;
    private int _hexValue;

    private int _utf8Remaining;
    private byte _utf8Low;
    private byte _utf8High;

    private NumberPhase _numberPhase;
    private long _numberValue;
    private bool _numberNegative;
    private bool _numberIsInt64;

    private JsonLiteral _literal;
    private int _literalIndex;

    public JsonStreamTokenizer(IJsonTokenHandler handler)
    {
        _handler = handler;
        Reset();
    }

    private enum State : byte
    {
        Value,
        ArrayFirst,
        ObjectFirst,
        Key,
        Colon,
        AfterValue,
        String,
        StringEscape,
        StringUnicode,
        StringUtf8,
        Number,
        Literal,
        Bom1,
        Bom2,
        Complete,
        Failed,
    }

    private enum NumberPhase : byte
    {
        AfterMinus,
        Zero,
        Integer,
        AfterDot,
        Fraction,
        AfterExponent,
        AfterExponentSign,
        Exponent,
    }

    public JsonTokenizerStatus Status => _state switch
    {
        State.Complete => JsonTokenizerStatus.Complete,
        State.Failed => _failure,
        _ => _started ? JsonTokenizerStatus.InProgress : JsonTokenizerStatus.Empty,
    };

    /// <summary>Prepares for a new document.</summary>
    public void Reset()
    {
        _state = State.Value;
        _failure = JsonTokenizerStatus.Malformed;
        _started = false;
        _containers = 0;
        _depth = 0;
        _captureLength = 0;
        _utf8Remaining = 0;
    }

    /// <summary>Consumes bytes until the input ends, the root value closes, or the grammar breaks.</summary>
    /// <returns>How many bytes belong to the document: when it completes, the rest of the input was not read.</returns>
    public int Feed(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            switch (_state)
            {
                case State.Complete:
                case State.Failed:
                    return i;
                case State.String:
                    i = ScanString(data, i);
                    continue;
                case State.Number:
                    // A number ends at the first byte that cannot extend it; that byte is read again as a delimiter.
                    if (ContinueNumber(data[i]))
                    {
                        i++;
                    }

                    continue;
            }

            var b = data[i++];
            switch (_state)
            {
                case State.Value:
                case State.ArrayFirst:
                    if (IsWhitespace(b))
                    {
                        break;
                    }

                    if (b == (byte)']' && _state == State.ArrayFirst)
                    {
                        CloseContainer(isObject: false);
                    }
                    else if (b == 0xEF && !_started)
                    {
                        // A UTF-8 byte order mark is tolerated before the root value only.
                        _state = State.Bom1;
                    }
                    else
                    {
                        StartValue(b);
                    }

                    break;
                case State.ObjectFirst:
                case State.Key:
                    if (IsWhitespace(b))
                    {
                        break;
                    }

                    if (b == (byte)'"')
                    {
                        StartString(isKey: true);
                    }
                    else if (b == (byte)'}' && _state == State.ObjectFirst)
                    {
                        CloseContainer(isObject: true);
                    }
                    else
                    {
                        Fail(JsonTokenizerStatus.Malformed);
                    }

                    break;
                case State.Colon:
                    if (b == (byte)':')
                    {
                        _state = State.Value;
                    }
                    else if (!IsWhitespace(b))
                    {
                        Fail(JsonTokenizerStatus.Malformed);
                    }

                    break;
                case State.AfterValue:
                    AfterValue(b);
                    break;
                case State.StringEscape:
                    Escape(b);
                    break;
                case State.StringUnicode:
                    UnicodeDigit(b);
                    break;
                case State.StringUtf8:
                    Utf8Continuation(b);
                    break;
                case State.Literal:
                    LiteralByte(b);
                    break;
                case State.Bom1:
                    _state = b == 0xBB ? State.Bom2 : State.Failed;
                    break;
                case State.Bom2:
                    _state = b == 0xBF ? State.Value : State.Failed;
                    break;
            }
        }

        return i;
    }

    /// <summary>Signals the end of input: a root-level number is complete only now.</summary>
    public JsonTokenizerStatus Finish()
    {
        if (_state == State.Number && _depth == 0 && NumberCanEnd())
        {
            EndNumber();
        }

        return Status;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static byte[] CreatePlainStringBytes()
    {
        var bytes = new byte[0x80 - 0x20 - 2];
        var n = 0;
        for (var b = 0x20; b < 0x80; b++)
        {
            if (b != '"' && b != '\\')
            {
                bytes[n++] = (byte)b;
            }
        }

        return bytes;
    }

    private void Fail(JsonTokenizerStatus failure)
    {
        _failure = failure;
        _state = State.Failed;
    }

    private void StartValue(byte b)
    {
        _started = true;
        switch (b)
        {
            case (byte)'{':
                if (Push(isObject: true))
                {
                    _handler.OnStartObject();
                    _state = State.ObjectFirst;
                }

                break;
            case (byte)'[':
                if (Push(isObject: false))
                {
                    _handler.OnStartArray();
                    _state = State.ArrayFirst;
                }

                break;
            case (byte)'"':
                StartString(isKey: false);
                break;
            case (byte)'-':
                StartNumber(NumberPhase.AfterMinus, 0, negative: true);
                break;
            case (byte)'0':
                StartNumber(NumberPhase.Zero, 0, negative: false);
                break;
            case >= (byte)'1' and <= (byte)'9':
                StartNumber(NumberPhase.Integer, b - '0', negative: false);
                break;
            case (byte)'t':
                StartLiteral(JsonLiteral.True);
                break;
            case (byte)'f':
                StartLiteral(JsonLiteral.False);
                break;
            case (byte)'n':
                StartLiteral(JsonLiteral.Null);
                break;
            default:
                Fail(JsonTokenizerStatus.Malformed);
                break;
        }
    }

    private bool Push(bool isObject)
    {
        if (_depth == MaxDepth)
        {
            Fail(JsonTokenizerStatus.TooDeep);
            return false;
        }

        if (isObject)
        {
            _containers |= 1UL << _depth;
        }
        else
        {
            _containers &= ~(1UL << _depth);
        }

        _depth++;
        return true;
    }

    private bool TopIsObject => ((_containers >> (_depth - 1)) & 1) != 0;

    private void CloseContainer(bool isObject)
    {
        _depth--;
        if (isObject)
        {
            _handler.OnEndObject();
        }
        else
        {
            _handler.OnEndArray();
        }

        EndValue();
    }

    private void EndValue() => _state = _depth == 0 ? State.Complete : State.AfterValue;

    private void AfterValue(byte b)
    {
        switch (b)
        {
            case (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r':
                break;
            case (byte)',':
                _state = TopIsObject ? State.Key : State.Value;
                break;
            case (byte)'}' when TopIsObject:
                CloseContainer(isObject: true);
                break;
            case (byte)']' when !TopIsObject:
                CloseContainer(isObject: false);
                break;
            default:
                Fail(JsonTokenizerStatus.Malformed);
                break;
        }
    }

    private void StartString(bool isKey)
    {
        _isKey = isKey;
        _captureLength = 0;
        _captureExact = true;
        _stringLength = 0;
        _state = State.String;
    }

    private int ScanString(ReadOnlySpan<byte> data, int i)
    {
        var rest = data[i..];
        var stop = rest.IndexOfAnyExcept(PlainStringBytes);
        var run = stop < 0 ? rest.Length : stop;
        if (run > 0)
        {
            Capture(rest[..run]);
            _stringLength += run;
        }

        if (stop < 0)
        {
            return data.Length;
        }

        var b = rest[stop];
        if (b == (byte)'"')
        {
            EndString();
        }
        else if (b == (byte)'\\')
        {
            _state = State.StringEscape;
        }
        else if (b < 0x20)
        {
            Fail(JsonTokenizerStatus.Malformed);
        }
        else
        {
            StartUtf8(b);
        }

        return i + stop + 1;
    }

    private void EndString()
    {
        ReadOnlySpan<byte> captured = _capture;
        captured = captured[.._captureLength];
        if (_isKey)
        {
            _state = State.Colon;
            _handler.OnPropertyName(captured, _captureExact);
        }
        else
        {
            EndValue();
            _handler.OnString(captured, _captureExact, _stringLength);
        }
    }

    private void Capture(ReadOnlySpan<byte> bytes)
    {
        if (!_captureExact)
        {
            return;
        }

        Span<byte> buffer = _capture;
        var room = CaptureCapacity - _captureLength;
        if (bytes.Length > room)
        {
            _captureExact = false;
            return;
        }

        bytes.CopyTo(buffer[_captureLength..]);
        _captureLength += bytes.Length;
    }

    private void CaptureByte(byte b)
    {
        if (_captureExact && _captureLength < CaptureCapacity)
        {
            _capture[_captureLength++] = b;
        }
        else
        {
            _captureExact = false;
        }
    }

    private void StartUtf8(byte lead)
    {
        // Table 3-7 of the Unicode standard: the second byte's range rules out overlong forms and surrogates.
        switch (lead)
        {
            case >= 0xC2 and <= 0xDF:
                SetUtf8(1, 0x80, 0xBF);
                break;
            case 0xE0:
                SetUtf8(2, 0xA0, 0xBF);
                break;
            case (>= 0xE1 and <= 0xEC) or 0xEE or 0xEF:
                SetUtf8(2, 0x80, 0xBF);
                break;
            case 0xED:
                SetUtf8(2, 0x80, 0x9F);
                break;
            case 0xF0:
                SetUtf8(3, 0x90, 0xBF);
                break;
            case >= 0xF1 and <= 0xF3:
                SetUtf8(3, 0x80, 0xBF);
                break;
            case 0xF4:
                SetUtf8(3, 0x80, 0x8F);
                break;
            default:
                Fail(JsonTokenizerStatus.InvalidUtf8);
                return;
        }

        CaptureByte(lead);
        _stringLength++;
    }

    private void SetUtf8(int remaining, byte low, byte high)
    {
        _utf8Remaining = remaining;
        _utf8Low = low;
        _utf8High = high;
        _state = State.StringUtf8;
    }

    private void Utf8Continuation(byte b)
    {
        if (b < _utf8Low || b > _utf8High)
        {
            Fail(JsonTokenizerStatus.InvalidUtf8);
            return;
        }

        CaptureByte(b);
        _stringLength++;
        _utf8Low = 0x80;
        _utf8High = 0xBF;
        if (--_utf8Remaining == 0)
        {
            _state = State.String;
        }
    }

    private void Escape(byte b)
    {
        byte decoded;
        switch (b)
        {
            case (byte)'"' or (byte)'\\' or (byte)'/':
                decoded = b;
                break;
            case (byte)'b':
                decoded = 0x08;
                break;
            case (byte)'f':
                decoded = 0x0C;
                break;
            case (byte)'n':
                decoded = (byte)'\n';
                break;
            case (byte)'r':
                decoded = (byte)'\r';
                break;
            case (byte)'t':
                decoded = (byte)'\t';
                break;
            case (byte)'u':
                _hexCount = 0;
                _hexValue = 0;
                _state = State.StringUnicode;
                return;
            default:
                Fail(JsonTokenizerStatus.Malformed);
                return;
        }

        CaptureByte(decoded);
        _stringLength++;
        _state = State.String;
    }

    private void UnicodeDigit(byte b)
    {
        int digit;
        if (IsDigit(b))
        {
            digit = b - '0';
        }
        else if ((uint)((b | 0x20) - 'a') <= 5)
        {
            digit = (b | 0x20) - 'a' + 10;
        }
        else
        {
            Fail(JsonTokenizerStatus.Malformed);
            return;
        }

        _hexValue = (_hexValue << 4) | digit;
        if (++_hexCount < 4)
        {
            return;
        }

        var c = _hexValue;
        if (c < 0x80)
        {
            CaptureByte((byte)c);
            _stringLength++;
        }
        else if (c < 0x800)
        {
            CaptureByte((byte)(0xC0 | (c >> 6)));
            CaptureByte((byte)(0x80 | (c & 0x3F)));
            _stringLength += 2;
        }
        else if (c is >= 0xD800 and <= 0xDFFF)
        {
            // Surrogate escapes are legal JSON but are never part of a value this scanner compares, so the capture
            // is marked inexact instead of pairing them up.
            _captureExact = false;
            _stringLength += 2;
        }
        else
        {
            CaptureByte((byte)(0xE0 | (c >> 12)));
            CaptureByte((byte)(0x80 | ((c >> 6) & 0x3F)));
            CaptureByte((byte)(0x80 | (c & 0x3F)));
            _stringLength += 3;
        }

        _state = State.String;
    }

    private void StartNumber(NumberPhase phase, long value, bool negative)
    {
        _numberPhase = phase;
        _numberValue = value;
        _numberNegative = negative;
        _numberIsInt64 = true;
        _state = State.Number;
    }

    /// <summary>Takes <paramref name="b"/> into the number, or ends the number and leaves <paramref name="b"/> unread.</summary>
    private bool ContinueNumber(byte b)
    {
        var digit = IsDigit(b);
        switch (_numberPhase)
        {
            case NumberPhase.AfterMinus:
                if (!digit)
                {
                    Fail(JsonTokenizerStatus.Malformed);
                    return true;
                }

                _numberPhase = b == (byte)'0' ? NumberPhase.Zero : NumberPhase.Integer;
                _numberValue = b - '0';
                return true;
            case NumberPhase.Zero:
            case NumberPhase.Integer:
                if (digit && _numberPhase == NumberPhase.Integer)
                {
                    AccumulateDigit(b - '0');
                    return true;
                }

                if (digit)
                {
                    // A leading zero cannot be followed by a digit.
                    Fail(JsonTokenizerStatus.Malformed);
                    return true;
                }

                return FractionOrExponentOrEnd(b);
            case NumberPhase.AfterDot:
                if (!digit)
                {
                    Fail(JsonTokenizerStatus.Malformed);
                    return true;
                }

                _numberPhase = NumberPhase.Fraction;
                return true;
            case NumberPhase.Fraction:
                if (digit)
                {
                    return true;
                }

                if (b is (byte)'e' or (byte)'E')
                {
                    _numberPhase = NumberPhase.AfterExponent;
                    return true;
                }

                EndNumber();
                return false;
            case NumberPhase.AfterExponent:
                if (b is (byte)'+' or (byte)'-')
                {
                    _numberPhase = NumberPhase.AfterExponentSign;
                    return true;
                }

                goto case NumberPhase.AfterExponentSign;
            case NumberPhase.AfterExponentSign:
                if (!digit)
                {
                    Fail(JsonTokenizerStatus.Malformed);
                    return true;
                }

                _numberPhase = NumberPhase.Exponent;
                return true;
            default:
                if (digit)
                {
                    return true;
                }

                EndNumber();
                return false;
        }
    }

    private bool FractionOrExponentOrEnd(byte b)
    {
        if (b == (byte)'.')
        {
            _numberIsInt64 = false;
            _numberPhase = NumberPhase.AfterDot;
            return true;
        }

        if (b is (byte)'e' or (byte)'E')
        {
            _numberIsInt64 = false;
            _numberPhase = NumberPhase.AfterExponent;
            return true;
        }

        EndNumber();
        return false;
    }

    private void AccumulateDigit(int digit)
    {
        // NOTE: once the value would pass long.MaxValue it is no longer an Int64; the grammar is still checked.
        if (_numberIsInt64 && _numberValue <= (long.MaxValue - digit) / 10)
        {
            _numberValue = (_numberValue * 10) + digit;
        }
        else
        {
            _numberIsInt64 = false;
        }
    }

    private bool NumberCanEnd() =>
        _numberPhase is NumberPhase.Zero or NumberPhase.Integer or NumberPhase.Fraction or NumberPhase.Exponent;

    private void EndNumber()
    {
        EndValue();
        _handler.OnNumber(new JsonNumber(_numberValue, _numberNegative, _numberIsInt64));
    }

    private void StartLiteral(JsonLiteral literal)
    {
        _literal = literal;
        _literalIndex = 1;
        _state = State.Literal;
    }

    private void LiteralByte(byte b)
    {
        var text = _literal switch
        {
            JsonLiteral.True => "true"u8,
            JsonLiteral.False => "false"u8,
            _ => "null"u8,
        };

        if (b != text[_literalIndex])
        {
            Fail(JsonTokenizerStatus.Malformed);
            return;
        }

        if (++_literalIndex == text.Length)
        {
            EndValue();
            _handler.OnLiteral(_literal);
        }
    }
}
