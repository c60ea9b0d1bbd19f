"""What is changing: volume of alerted stories over time, and its spikes and silences.

    spikes    the decision: is today's count unusual against the last 14 days? (pure)
    replay    measures the detector on a year of synthetic days with injected spikes (pure)
    volumes   the alerts of a period (SQL) and their daily counts per country, category
              and outlet (pure ``tally``): one core for spikes, the API and the Trends page
    periods   days grouped into weeks for the charts (pure)
    commands  what ``monitor spikes`` calls
"""
