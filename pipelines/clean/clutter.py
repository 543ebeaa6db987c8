"""Every clutter rule radioscrape knows, one named line each: the only place rules live.

A rule removes either the nodes a CSS selector matches (`css`, applied to the page before
extraction) or every block and paragraph whose whole text matches a pattern (`text`, applied
to the page before extraction and again to the extracted paragraphs). `tail` rules also drop
what follows the matched block in its container (a rail heading and its cards);
`before_embed` rules only fire when the next thing on the page is an embedded post or video;
`max_chars` node rules spare a matched node holding more text than that (a "header" that
wraps a whole article is not chrome).
Each rule carries an example that must go and one that must stay; tests hold them to both.
A station profile's own rules (crawler/stations) come after these and may not take one of
their names: check_station_rules.
"""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parse
import unicodedata
from functools import lru_cache
from pathlib import Path

from crawler.stations import ProfileError, Registry, StationProfile, registry
from pipelines.core.clutter_rule import MAX_CLUTTER_CHARS, Rule

# fmt: off
_SOCIAL = r"(?:Facebook|Twitter|X|Instagram|YouTube|TikTok|WhatsApp|LinkedIn|Threads|Snapchat|Pinterest|Email|E-mail|Copy link)"  # noqa: E501
_CAP = r"(?-i:[A-ZÀ-Ý@])[\w'’.&@-]*"
_CREDIT_SIDE = rf"{_CAP}(?: [\w'’.&@-]+){{0,3}}"
_DATE = r"(?:\w+day,? )?\d{1,2}(?:st|nd|rd|th)? \w+,? \d{4}"
_TIME = r",? (?:at )?\d{1,2}[:.]\d{2}(?:\s*[ap]m)?"

RULES: tuple[Rule, ...] = (
    # --- page chrome, removed as nodes ---------------------------------------------------------
    Rule("non-content-markup", "markup", css="script, style, noscript, template, svg, canvas, link, button, select, input, textarea", must_go='<button>Search the site</button>', must_stay="<p>She sang for an hour and the crowd sang every word back.</p>"),  # noqa: E501
    Rule("site-chrome", "navigation", css="nav, [role=navigation], [role=banner], [role=contentinfo], footer, body > header, .header, .site-header, .site-footer, .menu, .breadcrumb, .breadcrumbs, .skip-link", must_go='<nav class="nav"><ul class="nav--list"><li>Home</li><li>Shows</li></ul></nav>', must_stay="<p>The navigation of her career has been anything but smooth, she said.</p>"),  # noqa: E501
    Rule("article-header", "byline and time strips", css="article header, .article-header, .article--header, .article__header, .entry-header, .post-header, .episode-header, .story-header", max_chars=600, must_go='<header class="article--header"><a class="article--category">Entertainment</a><h1>Headline</h1><span>By Lerato Dlamini</span></header>', must_stay='<p class="header-note">The headline act arrived two hours late, fans said.</p>'),  # noqa: E501
    Rule("ad-slots", "advertising", css=".dfp-ads, [data-slot], [id^=div-gpt-ad], .ad, .ads, .advert, .advertisement, .ad-slot, .ad-container, .adsbygoogle, .sponsored", must_go='<div class="dfp-ads" data-slot="/7938/Jacaranda_FM-Web">Advertisement</div>', must_stay='<p class="lead">The advert she starred in ran for ten years, she said.</p>'),  # noqa: E501
    Rule("related-rails", "related rails", css=".article-ad-unit, .card-stacked, .card-overlay, aside, .related, .related-posts, .related-articles, .jp-relatedposts, .trending, .more-stories, .recommended, .read-next, .teasers, .promo, [class*=podcast-promo], [data-component=podcast-promo]", must_go='<div class="article-ad-unit"><article class="card-stacked"><h3 class="card--title">Another story</h3></article></div>', must_stay="<p>Related by marriage, the two singers have never recorded together.</p>"),  # noqa: E501
    Rule("player-widgets", "player and live widgets", css=".timeline-section, .now-playing, .nowplaying, .on-air, .onair, .btn-listen-live, .listen-live, .live-player, .player-bar, .audio-player-placeholder, .schedule-widget", must_go='<section class="timeline-section"><span class="timeline-show--current--title">Drive</span></section>', must_stay="<p>Now playing to sold-out crowds, the band added a second night.</p>"),  # noqa: E501
    Rule("show-widgets", "player and live widgets", css=".show-about, .show-info, .about-show, .show-presenters, .presenter-bio, .show-schedule, .on-air-widget", must_go='<section class="show-about"><h2>About the show</h2><p>Refilwe hosts the conversations Joburg is having after dark.</p></section>', must_stay="<p>About the show, she said only that it would be “louder than ever”.</p>"),  # noqa: E501
    Rule("tag-list", "tags and categories", css=".tags, .article--tags, .article-tags, .post-tags, .entry-tags, .tag-list, .tags-links, .cat-links, .tagcloud", must_go='<div class="article--tags"><span>Tags:</span><a href="/tags/amapiano/">Amapiano</a></div>', must_stay="<p>The tags on his luggage still said Lagos, he joked.</p>"),  # noqa: E501
    Rule("share-follow", "social follow and share", css=".icons-social, .share, .share-bar, .share-buttons, .sharedaddy, .sd-sharing, .social-share, .social-links, .social-follow, .addthis_toolbox", must_go='<div class="share-bar"><a>Facebook</a><a>Twitter</a></div>', must_stay="<p>She shared the news with fans on Sunday.</p>"),  # noqa: E501
    Rule("icon-ligatures", "audio and app CTAs", css=".material-icons, .material-symbols-outlined, .material-icons-outlined, i.icon, span.icon", must_go='<p><span class="material-icons">arrow_forward</span></p>', must_stay="<p>She pointed the arrow forward and kept walking.</p>"),  # noqa: E501
    Rule("login-chrome", "member and login chrome", css=".login, .login-form, .member-login, .members-bar, .account-links, .user-menu", must_go='<div class="member-login"><a>Listeners Club</a><a>Forgot Password</a></div>', must_stay="<p>She forgot her password on live radio and laughed it off.</p>"),  # noqa: E501
    Rule("consent-walls", "consent walls", css="#onetrust-consent-sdk, #onetrust-banner-sdk, .cookie-banner, .cookie-consent, .cookie-notice, .cmp-container, .consent-banner, #cookie-law-info-bar", must_go='<div class="cookie-banner">We use cookies to improve your experience. Accept all</div>', must_stay="<p>The cookies she baked on the show sold out in a day.</p>"),  # noqa: E501
    Rule("comments", "comments", css="#comments, .comments, .comments-area, .comment-respond, .comment-list", must_go='<div id="comments"><h3>2 comments</h3></div>', must_stay="<p>His comments on the show drew praise from fans.</p>"),  # noqa: E501
    Rule("captions", "image captions and credits", css="figcaption, .wp-caption-text, .caption, .image-caption, .photo-credit, .image-credit, .credit", must_go="<figure><img src='a.jpg'><figcaption>John Legend at the awards. Picture: Getty</figcaption></figure>", must_stay="<p>The caption she wrote on her post was just one word.</p>"),  # noqa: E501
    # --- inline promos and rails, removed by their text ------------------------------------------
    Rule("promo-link", "inline related-story promo", text=r"(?:(?-i:WATCH|READ|LISTEN|SEE|MORE|KYK|LEES|LUISTER)|also read|now read|must read|read more|read also|related|see also|also watch|must watch|watch next|lees ook|lees meer|kyk ook)\s*[:|]\s*\S.{0,200}", must_go="WATCH: Woman performs John Legend hit - not knowing he is watching her", must_stay="Watch out for her new single, which drops on Friday."),  # noqa: E501
    Rule("rail-heading", "related rails", tail=True, text=r"(?:more (?:from|on) (?:\w+ ){0,3}\w+|show'?s stories|trending(?: now| on (?:\w++ ?){1,3})?|more episodes from .{1,60}|you may also like|you might also like|related(?: posts| stories| articles| content| links| videos)?|recommended(?: for you)?|most (?:popular|read)|latest (?:news|stories)|in other news|top stories)\s*:?", must_go="MORE FROM JACARANDA FM", must_stay="“I learnt more from him than from anyone,” she said."),  # noqa: E501
    Rule("card-timestamp", "related rails", text=r"(?:[\w'&. ]{1,40} )?\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?)(?:, \d+ (?:hours?|minutes?))? ago\s*-?", must_go="Breakfast with Martin Bester 9 minutes ago -", must_stay="She posted the video 9 minutes before the show started."),  # noqa: E501
    Rule("card-teaser", "related rails", text=r"[^.!?]{20,90}[^\s.…](?:\.\.\.|…)", must_go="Woman performs John Legend hit - not knowing he is watching her and the...", must_stay="“I waited and waited… and then he called,” she said."),  # noqa: E501
    # --- bylines and time strips -----------------------------------------------------------------
    Rule("byline-strip", "byline and time strips", text=rf"(?:(?:updated|published)\b[^|]{{0,40}}\|\s*)?(?:written |words |story |report )?by\s+{_CAP}(?:\s+(?:and\s+|&\s+)?{_CAP}){{0,5}}(?:\s*\|.{{0,40}})?", must_go="Updated | By Nomsa Dube", must_stay="By the time she reached the stage, the crowd was chanting her name."),  # noqa: E501
    Rule("time-strip", "byline and time strips", text=rf"(?:(?:published|updated|posted)(?: on)?:?\s*{_DATE}(?:{_TIME})?|{_DATE}{_TIME})(?:\s*\|\s*updated:?.{{0,40}})?", must_go="17 September 2024, 09:09 | Updated: 17 September 2024, 10:15", must_stay="On 17 September 2024 she walked out of the studio for the last time."),  # noqa: E501
    Rule("kicker", "byline and time strips", text=r"(?-i:Exclusive|EXCLUSIVE|Breaking|BREAKING|Opinion|Video|VIDEO|Listen|LISTEN|Watch|WATCH)", must_go="Exclusive", must_stay="“Exclusive? It felt like the whole world knew,” he laughed."),  # noqa: E501
    # --- captions and credits --------------------------------------------------------------------
    Rule("photo-credit", "image captions and credits", text=r"(?:pictures?|images?|photos?|photograph|credits?|source|main image|header image|featured image)\s*:\s*.{1,100}|(?:image|photo|picture)s? (?:courtesy|supplied|via)(?: of)?:?\s*.{1,100}|[^.!?]{0,250}\b(?:picture|image|photo|credit)s?:\s*[\w@/&.' -]{1,60}|.{0,250}\((?:photos?|pictures?|images?) (?:by|courtesy of|via) [^)]{1,80}\)", must_go="Image courtesy of Instagram/ @John Legend", must_stay="Picture this: a stadium full of people singing along."),  # noqa: E501
    Rule("agency-credit", "image captions and credits", text=rf"{_CREDIT_SIDE}(?: ?/ ?{_CREDIT_SIDE})+|(?:getty(?: images)?|afp|reuters|ap photo|shutterstock|pa images|wireimage|filmmagic)(?: (?:for|via) [\w .]{{1,40}})?", must_go="People / Dough Inglish", must_stay="She spent 24/7 in the studio to finish the album."),  # noqa: E501
    # --- social follow and share -----------------------------------------------------------------
    Rule("social-follow", "social follow and share", text=rf"(?:(?:follow|connect with|find|like) us|(?:follow|connect with) [\w' ]{{1,30}} on (?:social media|socials|{_SOCIAL}))(?: on (?:social media|socials|{_SOCIAL}))?\s*+[:!]?(?:\s*+[·•|,-]?\s*+{_SOCIAL})*", must_go="Follow us on social media:", must_stay="Follow your heart, she told the crowd, and they cheered."),  # noqa: E501
    Rule("social-link", "social follow and share", text=rf"[·•|-]?\s*{_SOCIAL}(?:\s*[·•|,]\s*{_SOCIAL})*", must_go="· Facebook", must_stay="Facebook was where the clip first went viral, she said."),  # noqa: E501
    Rule("share-prompt", "social follow and share", text=r"share(?: this)?(?: article| story| post| on \w+)?\s*:?|tweet|pin it|email this", must_go="Share this:", must_stay="Share your memories with us, she told listeners on air."),  # noqa: E501
    Rule("newsletter-signup", "social follow and share", text=r"(?:sign up|subscribe)(?: (?:to|for) (?:our|the) (?:\w+ )?newsletter)?\s*+[:!]?(?:\s*+newsletter)?|newsletter|get the latest .{0,40} in your inbox\.?", must_go="Sign up:", must_stay="She told fans to sign up for the workshop before Friday."),  # noqa: E501
    # --- players, live widgets and app CTAs ------------------------------------------------------
    Rule("player-widget", "player and live widgets", text=r"listen live(?: now)?|now playing(?: loading\.\.\.)?|loading\.\.\.|current (?:track|show)|on air(?: now)?(?:\s*:.{0,60})?|up next\s*:.{0,60}|next show\s*:.{0,60}|listen to this article|loading audio\.\.\.|streaming issues\? report here\.?|play(?: now)?|pause", must_go="Now Playing loading...", must_stay="Now playing at the State Theatre, the musical runs until May."),  # noqa: E501
    Rule("app-cta", "audio and app CTAs", text=r"listen live to .{1,60} on global player.{0,60}|listen to (?:this|the full) (?:episode|podcast|show|interview)(?: on \w+)?\s*[.:]?|listen (?:&|and) subscribe\s*:.{0,120}|listen to (?:the )?podcast(?: arrow_forward)?|stream the show live here or download our (?:mobile )?app here\.?|listen to [\w .]{2,30}: ?[\d.]+(?: ?(?:fm|mhz))?(?: ?[/|] ?dstv \d+)?.{0,40}|download (?:the|our) [\w ]{0,30}app.{0,60}|(?:listen|stream) (?:on|via) global player.{0,60}", must_go="Listen to Jacaranda FM: 94.2 / DStv 858", must_stay="Listen to the way she phrases that chorus; it is pure gospel."),  # noqa: E501
    Rule("schedule-widget", "player and live widgets", text=r"(?:regular program(?:ming)?\s*)?\d{1,2}(?::\d{2})?\s*[ap]\.?m\.?\s*[-–]\s*\d{1,2}(?::\d{2})?\s*[ap]\.?m\.?", must_go="Regular Program 7:00pm - 12:00am", must_stay="The show runs from 7pm to midnight every Friday, she said."),  # noqa: E501
    # --- syndication, embeds, membership, competitions, consent, comments ------------------------
    Rule("syndication-footer", "syndication footers", text=r"copyright\s*+©?\s*+\d{4}.{0,80}|©.{0,120}|see full article at .{1,60}|this (?:article|story) (?:was )?(?:originally )?(?:appeared|published) (?:on|in) .{1,60}|all rights reserved\.?", must_go="Copyright © 2022, ABC Audio. All rights reserved.", must_stay="The copyright row over the song was settled out of court in 2022."),  # noqa: E501
    Rule("embed-residue", "embed residue", text=r"view (?:this|the) (?:post|profile|video) on (?:instagram|tiktok|facebook|x|twitter)|a post shared by .{1,80}|posted by .{1,60} on \w+day,? \d{1,2} \w+,? \d{4}|♬ .{1,120}|(?:watch|see|check out) the (?:videos?|posts?|clips?|pics?|photos?) below\s*[:.!]?|loading (?:tweet|video|post)\.\.\.|tap to unmute|.{0,60}\(@[\w.]+\) on (?:tiktok|instagram)", must_go="View this post on Instagram", must_stay="She posted the view from her hotel on Instagram at dawn."),  # noqa: E501
    Rule("embed-pointer", "embed residue", before_embed=True, text=r"(?:see|watch|check out|take a look at|have a look at|listen to|view|here'?s|look at|catch|kyk|luister|sien)\b.{0,80}\b(?:below|here|above|hieronder|hier|on omny|on spotify|on youtube)\s*[:.!]?", must_go="Listen to his new single below:", must_stay="Read the full statement below:"),  # noqa: E501
    Rule("member-login", "member and login chrome", text=r"listeners club|forgot (?:your )?password\??|not a member\? sign up here!?|log ?in|sign ?in|register|my account|create (?:an )?account|members? login", must_go="Not a Member? Sign up here!", must_stay="She had to log in to the meeting from a hotel in Paris."),  # noqa: E501
    Rule("competition", "competitions", text=r"(?:\w+ )?(?:lucky )?(?:readers|listeners|winners) (?:can|could|stand a chance to) win\b.{0,160}|answer (?:this|the) question below\s*[:.]?.{0,120}|competition closes.{0,80}|t ?& ?cs apply\.?|terms and conditions apply\.?|enter (?:now|here)\b.{0,60}|.{0,200}\benter (?:here|now)[.!]?|to enter,? (?:sms|send|click|visit|comment|answer|fill|tag|follow|simply|just).{0,120}", must_go="Competition closes on 30 November at 12:00.", must_stay="She won the competition in 2009 and never looked back."),  # noqa: E501
    Rule("consent-wall", "consent walls", text=r"(?:we|this (?:site|website)) uses? cookies.{0,300}|accept (?:all )?cookies|cookie (?:settings|preferences|policy)|manage (?:cookie )?preferences|accept all|reject all", must_go="We use cookies to give you the best experience. Accept all", must_stay="“We use every minute of the show,” she said of the cookie-cutter format."),  # noqa: E501
    Rule("comments-closed", "comments", text=r"comments are closed\.?|leave a (?:comment|reply)|\d+ comments?|post a comment|be the first to comment\.?", must_go="Comments are closed.", must_stay="Her comments are closed to the public since the backlash, she said."),  # noqa: E501
    Rule("pagination", "related rails", text=r"page:? \d+(?: of \d+)?|(?:next|previous|older|newer) (?:page|posts|entries|stories)|load more", must_go="Page: 2", must_stay="The page turned quickly for the star after her 2020 album."),  # noqa: E501
    Rule("ad-label", "advertising", text=r"advertisement|sponsored(?: content)?|ad|promoted|story continues below(?: advertisement)?", must_go="ADVERTISEMENT", must_stay="The advertisement she starred in aired during the final."),  # noqa: E501
    Rule("embed-consent", "consent walls", text=r"(?:by (?:loading|playing|clicking on) (?:the|this) (?:video|post|content)|mit dem laden (?:des|der) (?:videos?|inhalts?|beitrags?)|en chargeant (?:la|cette) vidéo|door (?:het laden van )?(?:de|deze) video (?:te )?(?:laden|af te spelen)|al cargar (?:el|este) video)\b.{0,120}\b(?:privacy policy|datenschutzerklärung|datenschutzbestimmungen|politique de confidentialité|privacyverklaring|privacybeleid|política de privacidad)\b.{0,60}", must_go="Mit dem Laden des Videos akzeptieren Sie die Datenschutzerklärung von YouTube.", must_stay="By loading the van herself, she saved the tour and kept her privacy."),  # noqa: E501
    Rule("pledge-box", "member and login chrome", css="[class*=donate], [class*=pledge]", must_go='<div class="block-donate-inline"><p><strong>Support local journalism.</strong> KCVR is listener-supported.</p><a href="/donate">Donate</a></div>', must_stay="<p>She donated the guitar to the county museum in 2019.</p>"),  # noqa: E501
    Rule("audio-cards", "player and live widgets", css="[class*=audio-teaser], [class*=podcast-card], [class*=PodcastCard]", must_go='<div class="audio-teaser"><p>Lea Sommer im SWR3-Interview</p><span>Dauer: 4:28 min</span></div>', must_stay="<p>The audio of the first demo turned up on a cassette in 2019, she said.</p>"),  # noqa: E501
    Rule("platform-cta", "audio and app CTAs", text=r"(?:listen|tune in|catch up|catch|stream|hear|escucha|escúchanos|luister|écoutez|hören sie|hört)\b.{0,140}?\b(?:on|in|via|en|op|sur|auf|y en|por) (?:the |our |nuestra |la |l'|de |der |die )?(?:free )?(?:[\w.&-]+ ){0,3}(?:app|audiothek|listnr|rayo)(?:,? (?:the |our )?(?:free )?(?:[\w-]+ ){0,2}app)?(?: from [\w ]{1,30})?(?:,? (?:online|and on|or on|and at|on) [\w .,&-]{1,60}+)?+\s*+[.!]?", must_go="Listen to The Bull Morning Crew weekdays from 5 to 10 a.m. on 98.7 The Bull, and anytime on the free Audacy app.", must_stay="Catch Cinder Moth live at the Pick & Amp on New Year's Eve, and hear the new single on Rock Nights this week."),  # noqa: E501
    Rule("join-conversation", "social follow and share", text=r"(?:we want to hear from you!?\s*)?¡?(?:join the conversation|únete a la conversación|rejoignez la conversation|praat mee|diskutieren sie mit|diskutiert mit)\b.{0,200}", must_go="Join the conversation! Which song do you want her to close the show with? Tell us in the comments below.", must_stay="“Join the conversation about grief, not the argument,” she told listeners."),  # noqa: E501
    Rule("rail-heading-intl", "related rails", tail=True, text=r"(?:more (?:articles|stories|videos)|read next|most viewed|das könnte sie (?:auch )?interessieren|weitere (?:artikel|beiträge|nachrichten|themen)|meistgelesen(?:e artikel)?|mehr (?:zum thema|nachrichten|aus (?:\w+ ?){1,3})|sur le même (?:sujet|thème)|les plus lus|articles similaires|vous aimerez aussi|à lire aussi|dans la même rubrique|meer nieuws|meest gelezen|gerelateerde (?:artikelen|berichten)|lees ook|ook interessant|más noticias|noticias relacionadas|lo más leído|más leíd[oa]s|te puede interesar|mais lidas|notícias relacionadas|leia também|veja também|você (?:também )?pode gostar(?:\.\.\.|…)?|vous pourriez aimer|también te puede gustar|das könnte dir (?:auch )?gefallen|meer nuus|verwante artikels|lees ook hierdie|gewildste)\s*:?", must_go="Das könnte Sie auch interessieren", must_stay="Mehr zum Thema sagte sie im Interview nichts."),  # noqa: E501
    Rule("promo-link-intl", "inline related-story promo", text=r"(?:à lire aussi|a lire aussi|lire aussi|à voir aussi|voir aussi|lee también|lea también|te puede interesar|ver también|mehr zum thema|lesen sie auch|auch interessant|bekijk ook|zie ook|leia também|leggi anche)\s*[:|]\s*\S.{0,200}", must_go="À lire aussi : Victoires de la musique 2027 : tous les nommés", must_stay="Te puede interesar saber que el disco se grabó en una semana."),  # noqa: E501
    Rule("embed-pointer-intl", "embed residue", before_embed=True, text=r"\W{0,3}\s*(?:you can |hier |ici )?(?:stream|check (?:it|this|them) out|watch|hear|mira|escucha|découvrez|regardez|écoutez|bekijk|kijk|luister|könnt ihr euch|können sie sich|seht|hört|schaut)\b.{0,80}?(?:\b(?:below|here|in full|ci-dessous|ici|abajo|aquí|hieronder|hier|ansehen|anhören|anschauen)|en intégralité)\s*[:.!]?", must_go="Hier könnt ihr euch das Video ansehen:", must_stay="Découvrez la déclaration complète ci-dessous :"),  # noqa: E501
    Rule("player-pointer", "embed residue", text=r"(?:scroll (?:up|down)|press play(?: above| below)?|click play(?: above| below)?) (?:to|and) (?:listen|watch|hear)\b.{0,60}", must_go="Scroll up to listen to the interview.", must_stay="Press play on any of her albums and you will hear it."),  # noqa: E501
    Rule("syndication-credit", "syndication footers", text=r"(?:story|content|article|report|news) (?:courtesy of|provided by|supplied by) [\w .&'-]{1,60}", must_go="Story courtesy of Westwood One News.", must_stay="The story courtesy of her grandmother is the heart of the record."),  # noqa: E501
    Rule("catch-up-cta", "audio and app CTAs", text=r"(?:sendung verpasst|missed the show|uitzending gemist|vous avez manqué l'émission|¿te perdiste el programa)\?.{0,120}", must_go="Sendung verpasst? Das ganze Interview gibt es in der ARD Audiothek.", must_stay="“Missed the show? I never miss the show,” he joked."),  # noqa: E501
    Rule("time-strip-intl", "byline and time strips", text=r"(?:(?:by|par|von|door|por)\s++\w[\w'’.-]*+(?:\s++\w[\w'’.-]*+){0,3}\s*+[|·]?\s*+)?(?:published|updated|posted|publié le|mis à jour le|stand|veröffentlicht(?: am)?|aktualisiert(?: am)?|gepubliceerd(?: op)?|bijgewerkt(?: op)?|publicado(?: el)?|actualizado(?: el)?)\s*+:?\s*+(?:(?-i:[A-Z])[a-z]+\.? \d{1,2},? \d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})(?:,?\s*+(?:-|–|at|à|um)?\s*+\d{1,2}[:.h]\d{2}\s*+(?:[ap]\.?m\.?|uhr)?(?: [A-Z]{2,4})?)(?:,?\s*+(?:mis à jour le|updated).{0,40})?", must_go="Publié le 24/11/2026 à 09h30, mis à jour le 24/11/2026 à 11h45", must_stay="Published in 2019, her memoir sold a million copies."),  # noqa: E501
    Rule("social-follow-intl", "social follow and share", text=rf"(?:síguenos|siguenos|suivez-nous|folgt uns|folgen sie uns|volg ons)(?: (?:en|sur|auf|op))?(?: (?:nuestras redes(?: sociales)?|les réseaux sociaux|social media))?\s*+[:!]?(?:\s*+[·•|,-]?\s*+(?:y |et |und |en )?{_SOCIAL})*+\s*+\.?", must_go="Síguenos en Facebook, Instagram y TikTok.", must_stay="Síguenos, dijo la cantante, y no te vas a arrepentir."),  # noqa: E501
    Rule("newsletter-cta", "social follow and share", text=r"(?:click here to |want more\?\s*+)?(?:sign up|subscribe|register)(?: now| today| free)? (?:to|for) (?:our |the |(?:\w++ ){0,2}?)(?:[\w&'’.-]++ ){0,5}?(?:newsletters?|e-?mails?|email updates|bulletins?|digest)\b.{0,160}|get (?:our|the) (?:free |daily |weekly )?(?:[\w&'’.-]++ ){0,4}?(?:newsletter|e-?mail)s?\s*+[.!]?|(?:let our news meet|.{0,80}?\b(?:straight|directly|right) (?:to|in|into)) your inbox\b.{0,160}|thanks? (?:you )?for (?:subscribing|signing up)\b.{0,160}", must_go="Sign up for the Drive Time newsletter to get the best of the show straight to your inbox.", must_stay="She signed up for the newsletter of her old school, she laughed."),  # noqa: E501
    Rule("social-follow-list", "social follow and share", text=rf"(?:follow|connect with|find|like) (?:us|him|her|them|[\w@'’.&-]++(?: [\w@'’.&-]++){{0,5}}?) on {_SOCIAL}(?: \(@[\w.]++\))?(?:(?:,| and| or| &) (?:on )?{_SOCIAL}(?: \(@[\w.]++\))?)*+\s*+[.!]?", must_go="Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.", must_stay="Follow the money on Twitter and you find the label, she said."),  # noqa: E501
    Rule("click-here-cta", "audio and app CTAs", text=r"click here to (?:(?:get|download) (?:the |our )?[\w .&'’-]{1,40}? app|subscribe|sign up|follow|join)\b.{0,100}|get [\w .&'’-]{1,40}? on the go by clicking here\s*+[.!]?|like this (?:story|article|post)\?\s*+share it.{0,60}", must_go="CLICK HERE TO GET THE FOX NEWS APP", must_stay="Click here, she told the crowd, and they all laughed."),  # noqa: E501
    Rule("contact-line", "byline and time strips", text=r"(?:have a (?:news )?tip\?\s*+)?(?:[\w.'’-]++ ){0,4}?(?:may|can) be reached at [\w.+-]++@[\w-]++(?:\.[\w-]++)++.{0,160}|(?:e-?mail|contact|write to) (?:[\w.'’-]++ ){1,3}?at [\w.+-]++@[\w-]++(?:\.[\w-]++)++.{0,160}", must_go="Amy Kuperinsky may be reached at akuperinsky@example.com. Follow her on Twitter.", must_stay="She can be reached at home most evenings, her manager said."),  # noqa: E501
    Rule("button-cta", "audio and app CTAs", text=r"(?:read more|learn more|read our full review|get a quote|where to buy|check (?:the )?price|see (?:the )?deal|view deal|get started|weiterlesen|lire la suite|leer más|lees meer|leia mais)\s*+[:!>»›→]?", must_go="Read More", must_stay="Read more books, she told her listeners, and fewer headlines."),  # noqa: E501
    Rule("contents-heading", "related rails", text=r"(?:table of contents|contents|in this article|jump to|inhaltsverzeichnis|sommaire|índice|inhoudsopgave|inhoud)\s*+:?", must_go="Table of Contents", must_stay="The contents of the box were never revealed, she said."),  # noqa: E501
    Rule("date-time-line", "byline and time strips", text=r"(?:(?:first )?(?:published|updated|posted)\s*+:?\s*+)?(?:[\w-]++,? )?(?:(?-i:[A-Z])[a-z]++\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2}(?:st|nd|rd|th)?\.? (?:de )?\w++\.?,? (?:de )?\d{4}|\d{1,2}/\d{1,2}/\d{2,4}),?\s*+(?:at |às |à |um |- |/ )?\d{1,2}[:.h]\d{2}(?:\s*+[ap]\.?m\.?)?(?: [A-Z]{2,4})?(?:\s*+[/|-]\s*+updated[\w :.]{0,40})?|updated (?:at )?\d{1,2}[:.]\d{2}\s*+(?:[ap]\.?m\.?)?\.?", must_go="November 19, 2019 / 12:21 AM / Updated 14 hours ago", must_stay="On November 19, 2019 at 12:21 she played her last show."),  # noqa: E501
    Rule("section-label", "tags and categories", text=r"(?:tags|categories|categorias|categorías|catégories|kategorien|etiquetas|schlagwörter|trefwoorden|comments|comentários|comentarios|commentaires|kommentare|reacties|post (?:a )?comment(?: \(\+\))?|partner news|related news|sponsored stories)\s*+:?", must_go="Categorias", must_stay="Categories of music she loves: jazz, soul and amapiano."),  # noqa: E501
)
# fmt: on

NODE_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.css)
TEXT_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.text)


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex (split at each `|` outside groups and sets)."""
    out, depth, in_set, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1
        elif in_set:
            in_set = char != "]"
        elif char == "[":
            in_set = True
            i += pattern[i + 1 : i + 2] == "^"
            i += pattern[i + 1 : i + 2] == "]"  # a leading ] is a member
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and not depth:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*out, pattern[start:]]


# Literal characters a case-insensitive match finds only as themselves or their other ASCII
# case, so that a literal of them is in `text.lower()` wherever the pattern matched it: ASCII
# but for i, k and s (which also match İ, ı, K and ſ), and punctuation (no case at all).
def _plain(code: int) -> bool:
    char = chr(code)
    if char.isascii():
        return char.lower() not in "iks"
    return unicodedata.category(char).startswith("P")


_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)


def _needs(items) -> frozenset[str] | None:
    """Lower-case strings one of which every match of the parsed regex `items` holds (of
    _plain characters), the choice whose shortest is longest; None when none is found."""
    best: frozenset[str] | None = None

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    run: list[str] = []
    for op, arg in [*items, (None, None)]:
        if op is sre_constants.LITERAL and _plain(arg):
            run.append(chr(arg).lower())
            continue
        consider(frozenset(["".join(run)]) if run else None)
        run.clear()
        if op is sre_constants.SUBPATTERN:
            consider(_needs(arg[3]))
        elif op is sre_constants.ATOMIC_GROUP:
            consider(_needs(arg))
        elif op is sre_constants.BRANCH:
            each = [_needs(branch) for branch in arg[1]]
            consider(None if None in each else frozenset().union(*each))
        elif op in _REPEATS and arg[0] >= 1:
            consider(_needs(arg[2]))
        elif op is sre_constants.IN and all(
            o is sre_constants.LITERAL and _plain(a) for o, a in arg
        ):
            consider(frozenset(chr(a).lower() for _, a in arg))
    return best


def required_strings(regex: str) -> frozenset[str] | None:
    """Lower-case strings one of which every case-insensitive match of `regex` holds (the
    guard _guarded gives a text rule); None when none is found."""
    return _needs(sre_parse.parse(regex, re.IGNORECASE))


def _punctuation(text: str) -> bool:
    return not any(char.isalnum() or char.isspace() for char in text)


def _opens_with_literal(items) -> bool:
    """Whether every match of the parsed regex `items` starts with a literal character (the
    regex engine then turns most lines away at their first character)."""
    if not items:
        return False
    op, arg = items[0]
    if op is sre_constants.SUBPATTERN:
        return _opens_with_literal(arg[3])
    if op is sre_constants.ATOMIC_GROUP:
        return _opens_with_literal(arg)
    if op is sre_constants.BRANCH:
        return all(_opens_with_literal(branch) for branch in arg[1])
    if op is sre_constants.IN:
        return all(o is sre_constants.LITERAL for o, _ in arg)
    if op in _REPEATS:
        return arg[0] >= 1 and _opens_with_literal(arg[2])
    return op is sre_constants.LITERAL


def _guarded(rules: tuple[Rule, ...]):
    """The text rules' alternatives as one regex of those the engine turns away cheaply, and
    (strings, regex) for each of the others that needs one of those strings (lower case) in a
    line to match it: these are only tried on lines that hold one (a line that matches nothing,
    most of them, is then turned away sooner)."""
    cheap: list[str] = []
    guarded: list[str] = []
    strings: set[str] = set()
    for rule in rules:
        for alternative in _alternatives(rule.text):
            items = sre_parse.parse(alternative, re.IGNORECASE)
            needs = None if _opens_with_literal(items) else _needs(items)
            # a string of 4 characters or more, or of punctuation, is rare enough to look for
            if needs and all(len(s) >= 4 or _punctuation(s) for s in needs):
                guarded.append(alternative)
                strings |= needs
            else:
                cheap.append(alternative)
    return _one_regex(cheap), tuple(sorted(strings)), _one_regex(guarded)


def _one_regex(alternatives: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives) or "(?!)", re.IGNORECASE)


_CHEAP_RULES, _GUARD_STRINGS, _GUARDED_RULES = _guarded(TEXT_RULES)


def _any_text_rule(text: str) -> bool:
    """Whether any shared text rule matches the whole of `text` (most lines match none)."""
    if _CHEAP_RULES.fullmatch(text):
        return True
    lower = text.lower()
    return any(s in lower for s in _GUARD_STRINGS) and bool(_GUARDED_RULES.fullmatch(text))


def match_text(
    text: str, embed_follows: bool | None = None, extra: tuple[Rule, ...] = ()
) -> Rule | None:
    """The first text rule whose pattern matches the whole of `text`, or None.

    `embed_follows` is None where it cannot be known (extracted paragraphs): rules that need an
    embed after the line then do not fire. `extra`: a station profile's own rules, tried after
    the shared ones (node rules among them are skipped).
    """
    if not text or len(text) > MAX_CLUTTER_CHARS:
        return None
    if (rule := _shared_rules(text)[bool(embed_follows)]) is not None:
        return rule
    return next((rule for rule in extra if _fires(rule, text, embed_follows)), None)


@lru_cache(maxsize=8192)
def _shared_rules(text: str) -> tuple[Rule | None, Rule | None]:
    """match_text over the shared rules alone, when no embed follows `text` and when one does,
    remembered: a page's nested blocks (where whether an embed follows is known), its extracted
    paragraphs (where it is not) and a station's pages ask about the same lines again and again."""
    if not _any_text_rule(text):
        return None, None

    def first(embed_follows: bool) -> Rule | None:
        return next((rule for rule in TEXT_RULES if _fires(rule, text, embed_follows)), None)

    return first(False), first(True)


def _fires(rule: Rule, text: str, embed_follows: bool | None) -> bool:
    """Whether `rule` is a text rule matching the whole of `text` (a before_embed rule: and an
    embed follows)."""
    if rule.pattern is None or (rule.before_embed and not embed_follows):
        return False
    return rule.pattern.fullmatch(text) is not None


def rule_by_name(name: str) -> Rule:
    """The rule with this name (KeyError if none)."""
    for rule in RULES:
        if rule.name == name:
            return rule
    raise KeyError(name)


def check_station_rules(profile: StationProfile, origin: str | Path) -> None:
    """ProfileError when one of a station's own clutter rules takes a shared rule's name (the
    record's clutter audit counts rules by name); the station loader checks all the rest."""
    shared = {rule.name for rule in RULES}
    for i, rule in enumerate(profile.clutter):
        if rule.name in shared:
            raise ProfileError(
                f"{origin}: clutter[{i}].name: {rule.name!r} is already a rule's name"
            )


def checked_registry() -> Registry:
    """The station registry, with every station that check_station_rules refuses broken (what
    `radioscrape stations` and a crawl's preflight check)."""
    stations = registry()
    errors = {}
    for profile in stations:
        try:
            check_station_rules(profile, stations.origins[profile.key])
        except ProfileError as exc:
            errors[profile.key] = exc
    return stations.refuse(errors)
