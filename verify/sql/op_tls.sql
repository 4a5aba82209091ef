-- Whether this session is encrypted, and how.
SELECT coalesce(s.ssl, false) AS ssl, s.version, s.cipher
FROM (SELECT pg_backend_pid() AS pid) me
LEFT JOIN pg_stat_ssl s ON s.pid = me.pid
