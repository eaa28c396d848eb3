"""Review: versions a reviewer saw, their pieces, what changed between two of them, and review links."""
