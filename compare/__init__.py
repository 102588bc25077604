"""Standards comparison (标准比对): clause alignment, limit verdicts and the combined report (pure cores)."""
