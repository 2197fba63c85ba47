namespace Canary.Analyzer.Quality;

/// <summary>
/// The judge's spend for one UTC day against the daily cap: what the stored judgements of the day already cost, plus
/// what this run's calls cost as they finish. A call starts only while the day's total is under the cap; calls already
/// in flight when it is reached still finish and are counted, so the day can end above the cap by at most what
/// <see cref="JudgeOptions.Concurrency"/> calls cost.
/// </summary>
internal sealed class SpendLedger
{
    private readonly Lock _gate = new();
    private decimal _spentToday;
    private decimal _spentThisRun;
    private bool _refused;

    public SpendLedger(DateOnly day, decimal capUsd, decimal storedSpendUsd)
    {
        Day = day;
        CapUsd = capUsd;
        _spentToday = storedSpendUsd;
    }

    public DateOnly Day { get; }

    public decimal CapUsd { get; }

    public decimal SpentTodayUsd
    {
        get
        {
            lock (_gate)
            {
                return _spentToday;
            }
        }
    }

    public decimal SpentThisRunUsd
    {
        get
        {
            lock (_gate)
            {
                return _spentThisRun;
            }
        }
    }

    /// <summary>The cap stopped at least one call of this run.</summary>
    public bool CapReached
    {
        get
        {
            lock (_gate)
            {
                return _refused;
            }
        }
    }

    /// <summary>Whether a call may start: false once the day's spend has reached the cap.</summary>
    public bool TryStartCall()
    {
        lock (_gate)
        {
            if (_spentToday >= CapUsd)
            {
                _refused = true;
                return false;
            }

            return true;
        }
    }

    public void Add(decimal costUsd)
    {
        lock (_gate)
        {
            _spentToday += costUsd;
            _spentThisRun += costUsd;
        }
    }
}
