"""The one model of the UKSSDC protocol: the parameter catalogue (data), values in their user,
canonical and wire forms, a source's request and its rules, and the wire payload both ways.

Everything else derives from here; nothing here does I/O.
"""
