-- Custom SQL migration file, put your code below! --
-- Backfill: the listings of every published article (one per channel on its chain and one
-- under channel 0, the site-wide list), as documentRefreshStatements (src/articles/documents.ts)
-- builds them at the time of this migration. A later change to the summary's shape rebuilds
-- with `npm run documents:rebuild`, never by editing this file.
with recursive up(article_id, channel_id, depth) as (
        select "articles"."id", "articles"."channel_id", 0 from "articles"
        where +"articles"."status" = 'published' and "articles"."published_at" is not null
        union all
        select up.article_id, c.parent_id, up.depth + 1
        from up join channels c on c.id = up.channel_id
        where c.parent_id is not null and up.depth < 32
      ),
      places(article_id, channel_id) as (
        select article_id, channel_id from up
        union select article_id, 0 from up
      )
      insert into "channel_listings" (channel_id, published_at, article_id, summary)
      select places.channel_id, "articles"."published_at", "articles"."id", json_object(
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
))
)
      from places cross join "articles" on "articles"."id" = places.article_id
        join "channels" on "channels"."id" = "articles"."channel_id"
      where true
      on conflict do nothing;
