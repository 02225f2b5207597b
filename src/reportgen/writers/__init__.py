"""Writers: the rendered semantic HTML to DOCX (and PDF)."""
