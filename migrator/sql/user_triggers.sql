-- Whether a table has user triggers that would fire during a load (internal FK triggers excluded).
SELECT count(*) AS n
FROM pg_trigger t
WHERE t.tgrelid = %(table)s::regclass AND NOT t.tgisinternal AND t.tgenabled <> 'D'
