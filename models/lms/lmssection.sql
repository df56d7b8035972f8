with sections as (

    select * from {{ ref('int_lms__sections_state') }}

),

final as (

    select
        {{ edfi_lms.surrogate_key(['sourcesystem', 'sourcesystemidentifier']) }} as lmssectionidentifier,
        sourcesystemidentifier,
        sourcesystem,
        sissectionidentifier,
        title,
        sectiondescription,
        term,
        lmssectionstatus,
        sourcecreatedate,
        sourcelastmodifieddate,
        createdate,
        lastmodifieddate,
        deletedat,
        cast(null as {{ dbt.type_string() }}) as edfisectionid
    from sections

)

select * from final
