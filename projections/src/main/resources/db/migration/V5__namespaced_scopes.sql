-- Scopes are namespaced (jobpulse:...), so that an identity provider's scopes for other
-- applications (a bare "admin") never count. Keys made before keep what they allowed.

UPDATE api_keys
SET scopes = ARRAY(
    SELECT CASE s
               WHEN 'jobs:submit' THEN 'jobpulse:jobs:submit'
               WHEN 'jobs:report' THEN 'jobpulse:jobs:report'
               WHEN 'jobs:read'   THEN 'jobpulse:jobs:read'
               WHEN 'admin'       THEN 'jobpulse:admin'
               ELSE s
           END
    FROM unnest(scopes) AS s);
