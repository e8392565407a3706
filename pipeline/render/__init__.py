"""Drawing: HTML to PDF, charts, fonts, spreadsheet exports."""
