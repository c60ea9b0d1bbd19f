"""What is changing: volume of alerted stories over time, and its spikes and silences.

    spikes    the decision: is today's count unusual against the last 14 days? (pure)
    replay    measures the detector on a year of synthetic days with injected spikes (pure)
    volumes   SQL: daily alert counts per country and category from the store
    commands  what ``monitor spikes`` calls
"""
