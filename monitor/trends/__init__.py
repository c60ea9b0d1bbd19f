"""What is changing: volume of alerted stories over time, and its spikes and silences.

    spikes    the decision: is today's count unusual against the last 14 days? (pure)
    replay    measures the detector on a year of synthetic days with injected spikes (pure)
    volumes   daily counts of alerted stories per country, category and outlet: the rule
              (pure ``tally`` over ``alert_rows``) and the same counted by the database
              (``period_counts``): one core for spikes, the API and the Trends page
    rollup    the stored counts per hour and key the worker keeps with the alerts (pure)
    local_days  a reader's calendar days as Unix-second arithmetic SQL can do (pure)
    periods   days grouped into weeks for the charts (pure)
    commands  what ``monitor spikes`` calls
"""
