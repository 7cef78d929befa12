-- Custom SQL migration file, put your code below! --
-- Backfill: the public document of every published article, as documentRefreshStatements
-- (src/articles/documents.ts) builds it at the time of this migration. A later change to the
-- document's shape rebuilds with `npm run documents:rebuild`, never by editing this file.
insert into "article_documents" ("article_id", "prev_id", "next_id", "document") select id as "article_id", json_extract(document, '$.prev.id') as "prev_id", json_extract(document, '$.next.id') as "next_id", document as "document" from (
select "articles"."id" as id, json_object(
  'id', "articles"."id", 'slug', "articles"."slug", 'title', "articles"."title",
  'subtitle', "articles"."subtitle", 'summary', "articles"."summary", 'source', "articles"."source",
  'author', "articles"."author", 'coverImageUrl', "articles"."cover_image_url", 'lang', "articles"."lang",
  'channel', json_object('id', "channels"."id", 'slug', "channels"."slug", 'name', "channels"."name"),
  'tags', json((
  select coalesce(json_group_array(json(tag_json)), '[]') from (
select json_object('slug', t.slug, 'name', t.name) as tag_json
from article_tags at join tags t on t.id = at.tag_id
where at.article_id = "articles"."id"
order by at.position, t.slug
  )
)),
  'publishedAt', "articles"."published_at", 'updatedAt', "articles"."updated_at",
  'body', "articles"."body",
  'breadcrumb', json((
  select coalesce(json_group_array(json_object('id', id, 'slug', slug, 'name', name)), '[]')
  from (with recursive chain(id, slug, name, parent_id, depth) as (
  select c.id, c.slug, c.name, c.parent_id, 0 from channels c where c.id = ("articles"."channel_id")
  union all
  select p.id, p.slug, p.name, p.parent_id, chain.depth + 1
  from channels p join chain on p.id = chain.parent_id
  where chain.depth < 32
)
select id, slug, name, depth from chain order by depth desc)
)),
  'attachments', json((
  select coalesce(json_group_array(json(attachment)), '[]') from (
select json_object('name', f.name, 'url', f.url, 'size', f.size, 'contentType', f.content_type, 'mediaId', f.media_id)
  as attachment
from attachments f where f.article_id = "articles"."id"
order by f.position, f.id
  )
)),
  'document', json(case when coalesce(nullif("articles"."index_number", ''),
nullif("articles"."document_number", ''), nullif("articles"."date_written", ''),
nullif("articles"."issuing_body", '')) is not null
  then json_object('indexNumber', "articles"."index_number", 'documentNumber', "articles"."document_number",
'dateWritten', "articles"."date_written", 'issuingBody', "articles"."issuing_body")
  end),
  'prev', json((
select json_object('id', n.id, 'slug', n.slug, 'title', n.title, 'publishedAt', n.published_at)
from articles n
where n.channel_id = "articles"."channel_id" and n.status = 'published'
  and (n.published_at, n.id) < ("articles"."published_at", "articles"."id")
order by n.published_at desc, n.id desc
limit 1
  )),
  'next', json((
select json_object('id', n.id, 'slug', n.slug, 'title', n.title, 'publishedAt', n.published_at)
from articles n
where n.channel_id = "articles"."channel_id" and n.status = 'published'
  and (n.published_at, n.id) > ("articles"."published_at", "articles"."id")
order by n.published_at asc, n.id asc
limit 1
  ))
) as document
from "articles" join "channels" on "channels"."id" = "articles"."channel_id"
where "articles"."status" = 'published'
  ) as built where true on conflict ("article_documents"."article_id") do update set "prev_id" = excluded.prev_id, "next_id" = excluded.next_id, "document" = excluded.document;
