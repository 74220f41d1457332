"""What exists: the lockfile, the job cache, and the server's history gathered into the facts a
plan needs. The only package that writes the tool's own files.
"""
