using System.Buffers.Text;
using Canary.Sidecar.Model;

namespace Canary.Sidecar.Routing;

/// <summary>
/// What a request's headers say about its routing: the route key, the user key (and the rank of the header it came
/// from), the tenant, the opt-in headers present, a client-sent subset header, the content length and, on the
/// feedback path, the rating. Every front end feeds it the request's headers one by one (names in lower case, values
/// as bytes: the ext_proc stream as Envoy sent them, the proxy as Kestrel received them), so both read a request the
/// same way. The spans point into the caller's buffer; nothing is copied or allocated.
/// </summary>
internal ref struct RequestFacts
{
    public RequestFacts()
    {
    }

    public ReadOnlySpan<byte> RouteKey;

    public bool HasRouteKey;

    public ReadOnlySpan<byte> UserKey;

    /// <summary>Position of the user-key header that gave <see cref="UserKey"/> in the configured list; lower wins.</summary>
    public int UserKeyRank = int.MaxValue;

    public ReadOnlySpan<byte> Tenant;

    /// <summary>The client sent the subset header itself.</summary>
    public bool SawSubsetHeader;

    /// <summary>Bit i: opt-in header i of the table (<see cref="RolloutTableModel.OptInHeaders"/>) is present and affirmative.</summary>
    public ulong OptInMask;

    /// <summary>The request's content-length; -1 when absent, <see cref="long.MaxValue"/> when unreadable.</summary>
    public long ContentLength = -1;

    /// <summary>+1 or -1 for a rating on the feedback path's rating header, 0 otherwise.</summary>
    public int Feedback;

    /// <summary>The request's path is the configured feedback path (query string ignored).</summary>
    public bool IsFeedbackPath;

    /// <summary>Takes in one header. Repeated headers arrive as separate calls; for the route key the first one decides.</summary>
    public void Read(RolloutTableModel snapshot, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (!snapshot.MayBeRead(key.Length))
        {
            return;
        }

        var headers = snapshot.Headers;
        if (!HasRouteKey && key.SequenceEqual(headers.RouteKeyHeader))
        {
            RouteKey = value;
            HasRouteKey = true;
            return;
        }

        if (key.SequenceEqual(headers.SubsetHeader))
        {
            SawSubsetHeader = true;
            return;
        }

        if (!value.IsEmpty)
        {
            var userKeyHeaders = headers.UserKeyHeaders;
            for (var i = 0; i < userKeyHeaders.Length && i < UserKeyRank; i++)
            {
                if (key.SequenceEqual(userKeyHeaders[i]))
                {
                    UserKey = value;
                    UserKeyRank = i;
                    break;
                }
            }
        }

        if (headers.FeedbackPath.Length > 0)
        {
            if (key.SequenceEqual(":path"u8))
            {
                // The query string does not change which endpoint it is.
                var query = value.IndexOf((byte)'?');
                IsFeedbackPath = (query >= 0 ? value[..query] : value).SequenceEqual(headers.FeedbackPath);
                return;
            }

            if (key.SequenceEqual(headers.FeedbackRatingHeader))
            {
                Feedback = ParseRating(value);
                return;
            }
        }

        if (key.SequenceEqual("content-length"u8))
        {
            // An unparseable length is treated as "too large" for a rewrite; Envoy will reject it anyway.
            ContentLength = Utf8Parser.TryParse(value, out long length, out var consumed) && consumed == value.Length ? length : long.MaxValue;
            return;
        }

        if (key.SequenceEqual(headers.TenantHeader))
        {
            Tenant = value;
        }

        var optInHeaders = snapshot.OptInHeaders;
        for (var i = 0; i < optInHeaders.Length; i++)
        {
            if (key.SequenceEqual(optInHeaders[i]) && IsAffirmative(value))
            {
                OptInMask |= 1UL << i;
            }
        }
    }

    /// <summary>+1 for a positive rating, -1 for a negative one, 0 when the value is not a rating.</summary>
    private static int ParseRating(ReadOnlySpan<byte> value)
    {
        if (value.SequenceEqual("1"u8) || value.SequenceEqual("+1"u8) || System.Text.Ascii.EqualsIgnoreCase(value, "up"u8) || System.Text.Ascii.EqualsIgnoreCase(value, "positive"u8))
        {
            return 1;
        }

        if (value.SequenceEqual("-1"u8) || value.SequenceEqual("0"u8) || System.Text.Ascii.EqualsIgnoreCase(value, "down"u8) || System.Text.Ascii.EqualsIgnoreCase(value, "negative"u8))
        {
            return -1;
        }

        return 0;
    }

    /// <summary>An opt-in header counts unless it is empty, "0" or "false".</summary>
    private static bool IsAffirmative(ReadOnlySpan<byte> value) =>
        !value.IsEmpty && !value.SequenceEqual("0"u8) && !value.SequenceEqual("false"u8);
}
