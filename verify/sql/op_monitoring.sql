-- What records slow queries here: pg_stat_statements, or a slow-query log.
SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements')
           AS pg_stat_statements,
       current_setting('log_min_duration_statement') AS log_min_duration_statement
