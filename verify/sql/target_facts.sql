-- What the target offers a plan: its user, whether that user is a superuser, the roles
-- it has (and whether the user may act as each), the extensions it can create.
SELECT current_user AS user_name,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
       (SELECT coalesce(jsonb_object_agg(rolname, pg_has_role(current_user, oid, 'MEMBER')), '{}')
        FROM pg_roles) AS roles,
       (SELECT coalesce(jsonb_object_agg(name, installed_version), '{}')
        FROM pg_available_extensions) AS extensions
