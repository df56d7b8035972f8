{#- Header-only files in folders that more than one source system writes to (users/, sections/
    or a date folder of a mixed tree): it cannot be told whose snapshot they are, so they
    delete nothing. Give each source system its own extract folder to avoid this. -#}
select resource, file_path, scope_key, file_timestamp, loaded_at
from {{ ref('int_lms__snapshot_files') }}
where sourcesystem is null
