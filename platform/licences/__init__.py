"""The electronic business licence on the platform side: verification, the PDF, the pages."""
