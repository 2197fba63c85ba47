namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// A writer's entry into a <see cref="WriterReaderPhaser"/>: the stripe it entered (exit must count on the same one,
/// even if the thread has moved to another core since) and the start epoch it drew, whose sign fixes its phase.
/// </summary>
internal readonly struct WriterTicket
{
    internal WriterTicket(int stripe, long epoch)
    {
        Stripe = stripe;
        Epoch = epoch;
    }

    /// <summary>The stripe entered; striped data written under this ticket goes to this stripe.</summary>
    public int Stripe { get; }

    internal long Epoch { get; }

    /// <summary>Phase (0 or 1) of the critical section: which of two buffers the writer records into.</summary>
    public int Phase => Epoch < 0 ? 1 : 0;
}
