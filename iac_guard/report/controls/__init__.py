"""The control-mapping report (OWASP NHI, OWASP Agentic, NIST CSF, NIST AI RMF) in each of its formats."""
