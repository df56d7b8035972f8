with sections as (

    select * from {{ ref('int_lms__sections_state') }}

),

links as (

    select * from {{ ref('lmssection_section_link') }}

),

final as (

    select
        {{ edfi_lms.surrogate_key(['sections.sourcesystem', 'sections.sourcesystemidentifier']) }} as lmssectionidentifier,
        sections.sourcesystemidentifier,
        sections.sourcesystem,
        sections.sissectionidentifier,
        sections.title,
        sections.sectiondescription,
        sections.term,
        sections.lmssectionstatus,
        sections.sourcecreatedate,
        sections.sourcelastmodifieddate,
        sections.createdate,
        sections.lastmodifieddate,
        sections.deletedat,
        links.edfisectionid
    from sections
    left join links
        on links.sourcesystem = sections.sourcesystem
        and links.sourcesystemidentifier = sections.sourcesystemidentifier

)

select * from final
