"""Readers and writers: all file I/O of geopotential lives here, one module per source or format."""
