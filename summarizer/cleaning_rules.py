"""Line rules for text-level boilerplate: what a line of scraped news text *is*.

Extractors hand over site chrome as ordinary lines ("Share this article", "3 min read", bylines,
photo credits, date stamps, teaser headlines of other stories). Each rule here looks at one line and
says what kind of line it is; `summarizer.cleaning` decides from the kinds and their position what
to drop. Rules match whole short lines (or a short line's label), never words inside prose, so a
real sentence that merely mentions cookies or newsletters is kept. All patterns compile once.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

MAX_CHROME_CHARS = 240  # chrome is short: longer lines are only checked by the cheap prose rules
MAX_NOTICE_CHARS = 400  # cookie and consent notices run a little longer


class Kind(Enum):
    BODY = "body"
    CHROME = "chrome"  # site furniture: share/follow/subscribe, ads, navigation, credits, captions
    LIST_HEAD = "list_head"  # "Related posts", "More stories": announces a teaser list
    DATE = "date"  # a line that is only a date or time stamp
    TEASER = "teaser"  # a cut-off teaser of another story, ending in an ellipsis
    HEADING = "heading"  # short, headline-like, no sentence punctuation


# --- line kinds ---------------------------------------------------------------------------------------

_EDGE_JUNK = (r"\s•·▪◦●■□►▶▸▹»›«‹→←↑↓⇒⏱⌚⏰✉✕✖×☰|*>#+~=_\-–—:"
              r"\u2600-\u27bf\U0001f000-\U0001faff\ufe0f")
_LEAD = re.compile(f"^[{_EDGE_JUNK}]+")
_TRAIL = re.compile(f"[{_EDGE_JUNK}…]+$|\\.{{3,}}$")


def core(line: str) -> str:
    """The words of a short line without bullets, arrows, emoji and trailing colons, for matching."""
    if not line[:1].isalnum():
        line = _LEAD.sub("", line)
    if not (line[-1:].isalnum() or line[-1:] in "!?\"”’)" or (line[-1:] == "." and line[-2:-1] != ".")):
        line = _TRAIL.sub("", line)
    return line.strip()


_SOCIAL = (r"facebook|twitter|x|instagram|linkedin|whatsapp|telegram|reddit|pinterest|tiktok|youtube|"
           r"threads|bluesky|mastodon|flipboard|pocket|messenger|email|e-mail|mail|print|sms|copy link|"
           r"copy url|tumblr|vk|line|viber|snapchat|google news|apple news")
_NAV = (r"home|menu|main menu|search|close|open|navigation|toggle navigation|sections|more|back|next|"
        r"previous|prev|top|login|log in|logout|log out|sign in|sign up|sign out|register|subscribe|"
        r"subscribed|account|my account|profile|settings|contact|contact us|about|about us|advertise|"
        r"advertise with us|careers|jobs|privacy|privacy policy|cookie policy|cookies|terms|"
        r"terms of use|terms of service|terms and conditions|sitemap|rss|faq|help|newsletters?|"
        r"e-paper|epaper|podcasts?|videos?|photos?|gallery|live|live tv|watch live|world|politics|"
        r"business|sports?|opinion|entertainment|lifestyle|tech|technology|science|health|weather")
_CHROME_FULL = re.compile(
    r"(?:share|tweet|email|print|save|bookmark|copy|like|pin|follow|comment)s?"
    r"(?: (?:this|the|on|via|to|with|our))?(?: (?:article|story|post|page|link|video|gallery|"
    r"friends?|facebook|twitter|x|whatsapp|linkedin|email))?"
    rf"|(?:(?:{_SOCIAL})[ ,|/]*){{2,}}|{_SOCIAL}"
    rf"|(?:(?:{_NAV})[ ,|/·•]*){{2,}}|{_NAV}"
    r"|link copied|copied(?: to clipboard)?|saved|unsave|(?:add|remove) bookmark"
    r"|advertisement|advertisment|advertising|advert|ads?|sponsored(?: (?:content|post|links?|stories))?"
    r"|promoted(?: (?:content|stories))?|paid (?:content|post|partnership|promotion)|partner content"
    r"|(?:story|article|text|content|report) continues (?:below|after)(?: (?:this"
    r"|the))?(?: (?:advertisement|ad|video))?"
    r"|continue reading(?: (?:below|the main story|the article|the story|here|on .{1,40}))?"
    r"|scroll (?:down )?(?:to continue|for more)(?: (?:with content|reading))?|scroll to (?:top|continue)"
    r"|(?:back|go|return) to (?:the )?top|skip to (?:main )?(?:content|navigation|footer)"
    r"|skip(?: this)? ad|close ad|remove ads|ad-free|ad free|hide ads?"
    r"|loading(?: [a-z]{1,20}){0,2}|please wait|just a moment|refresh(?: the page)?"
    r"|(?:\d+ )?comments?|(?:leave|post|add|write) a (?:comment|reply)|(?:view|show|hide|read"
    r"|load) (?:all |more )?comments"
    r"|no comments(?: yet)?|join the (?:conversation|discussion|debate)|be the first to comment"
    r"|listen(?: to)?(?: this)?(?: article| story)?(?: \d+ min(?:ute)?s?)?|(?:play|pause|mute"
    r"|unmute)(?: video| audio)?"
    r"|(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)[ -]min(?:ute)?s?(?: read| to read| listen)"
    r"|(?:estimated |est\.? )?read(?:ing)? time[: ]*\d.{0,20}|\d+ min(?:ute)?s?"
    r"|font size|text size|(?:a ?){2,3}|a- a\+|aa|zoom|enlarge(?: this)? image|open image in gallery"
    r"|(?:toggle|hide|show|expand) caption|view (?:gallery|slideshow|photos?|image)|(?:image|photo"
    r"|slide) \d+ (?:of|/) \d+"
    r"|report (?:an error|a correction|a typo|this (?:ad|comment))|(?:submit|suggest) a correction"
    r"|(?:already a subscriber|already have an account|don'?t have an account)\??.{0,40}"
    r"|subscribe(?: now| today| here| for free| for \S{1,12}(?: a| per) (?:month|week|year))?"
    r"|sign up(?: now| today| here| for free)?"
    r"|register(?: now| for free)?|create (?:a )?(?:free )?account|(?:sign|log) in(?: to (?:continue|read"
    r"|comment))?"
    r"|(?:accept|reject|allow|decline)(?: all)?(?: cookies)?|manage (?:cookies|preferences|settings|consent)"
    r"|cookie (?:settings|preferences|consent)|i agree|i accept|got it|ok|okay|dismiss|no thanks|maybe later"
    r"|updated|published|posted|last updated|breaking(?: news)?|exclusive|live(?: updates)?"
    r"|developing(?: story)?"
    r"|photo|photos|image|images|video|videos|audio|gallery|watch|file photo|handout|pool"
    r"|(?:[\w.'’-]+(?: [\w.'’-]+){0,3} ?/ ?)?(?:getty images|shutterstock|istock(?:photo)?|ap photo|afp"
    r"|reuters"
    r"|epa(?:-efe)?|ap|upi|xinhua|anadolu(?: agency)?|ani|pti|ians|app|dpa|efe|tass|wam|spa|nni|apa)"
    r"(?: via getty images| photo| images)?"
    r"|(?:web|news|monitoring|online|digital|sports|business|city|national|foreign|international) desk"
    r"|(?:our|special|staff|senior) (?:correspondent|reporter|writer)|staff (?:report|writer|reporter)"
    r"|correspondent|agencies|news agencies|bureau report|newsroom|(?:the )?associated press"
    r"|press trust of india|agence france-presse|all rights reserved\.?|tags?|topics?|keywords|categories"
    r"|(?:related|more|similar|recent|latest|top|trending|popular|recommended|featured|other|further)"
    r"(?: (?:news|stories|articles?|posts?|content|coverage|links?|reads?|videos?|topics?|headlines"
    r"|reading|now|today|for you))?",
    re.IGNORECASE)

_LIST_HEAD = re.compile(
    r"(?:(?:related|more|similar|recent|latest|top|trending|popular|recommended|featured|other)"
    r"(?: (?:news|stories|articles?|posts?|content|coverage|links?|reads?|videos?|headlines|for you))?"
    r"|posts? list|post navigation|(?:more from|also on|more in) [^\s,.;!?]+(?: [^\s,.;!?]+){0,4}"
    r"|more on this(?: story| topic)?"
    r"|you (?:may|might|could) (?:also )?(?:like|enjoy|be interested in)|don'?t miss(?: this)?"
    r"|what to read next"
    r"|read next|up next|in (?:other|case you missed it) news|editor'?s picks?|around the web|from the web"
    r"|you may have missed|most (?:read|popular|viewed|shared|watched|commented)(?: (?:news|stories"
    r"|articles))?"
    r"|previous (?:article|post|story)|next (?:article|post|story)|must read|also read|read more)",
    re.IGNORECASE)

# a label, then a separator, then a teaser or link: "Read more: <url>", "RELATED | Headline"
_CHROME_LABEL = re.compile(
    r"(?:read (?:more|also|next|the full (?:story|article|report))|also read|also see|see also|related"
    r"|recommended|more|must read|don'?t miss|watch|video|listen|podcast|read|click here|tap here"
    r"|trending|editor'?s pick|sponsored|advertisement|photos?|gallery)"
    r"(?: (?:on|at|here|below|in))?(?:\s*[:|»›→>]+|\s+[–—-]+\s|\s(?=https?://|www\.))",
    re.IGNORECASE)
_CHROME_PREFIX = re.compile(
    r"(?:follow (?:us|@|\w+ on )|like us on|find us on|connect with us|join (?:us|our) |subscribe to "
    r"|sign up (?:for|to) |get (?:our|the) (?:latest |free |daily |weekly |best )*(?:news ?letter|app"
    r"|alerts?|updates)"
    r"|get the latest|download (?:our|the) |click (?:here|to) |tap (?:here|to) |for (?:more|the latest) "
    r"(?:news|stories|updates|videos)|for breaking news|(?:send|email) us (?:your )?(?:news )?tips"
    r"|have a (?:news )?tip"
    r"|got a (?:news )?(?:tip|story)|support (?:our|independent|quality) journalism|become a (?:member"
    r"|subscriber|supporter)"
    r"|this (?:article|story|post|piece|report) (?:was |has been |is )?(?:(?:originally|first) (?:appeared"
    r"|published|posted)|republished)"
    r"|copyright (?:©|\(c\)|\d{4})|©|\(c\) ?\d{4}|all rights reserved|this material may not be published"
    r"|(?:filed under|tags|topics|categories|keywords)\s*:|image source\s*,|(?:image|media) caption\s*[:,]"
    r"|(?:photo|photos|photograph|image|picture|pic|video|file photo|caption|credit|photo credit|image credit"
    r"|illustration|graphic|infographic|source|courtesy)\s*(?:credit)?\s*[:|]"
    r"|\(?(?:additional )?(?:reporting|writing|editing|compiled|research)(?: and (?:writing|editing))? by "
    r"(?:[^.]{0,200}$|.{0,200}(?:editing by|\)$))"
    r"|the post .{1,300} appeared first on )",
    re.IGNORECASE)
_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_CONTEXT = re.compile(
    r"\b(?:we use|this (?:web)?site uses|our (?:web)?site|you (?:agree|consent|accept)|your (?:experience"
    r"|browser|"
    r"consent|preferences|privacy|device))\b", re.IGNORECASE)
_CAPTION_CREDIT = re.compile(
    r"\((?:[^()]{0,80}\b(?:photo|image|picture|getty|shutterstock|istock|handout|courtesy|file)\b[^()]{0,80}"
    r"|(?:AP|AFP|Reuters|EPA|UPI|Xinhua|Anadolu|Bloomberg|PTI|ANI)\s*/[^()]{1,60})\)\s*$", re.IGNORECASE)
_CAPTION_SUFFIX = re.compile(r"\b(?:Photo|Photograph|Image|Picture|PHOTO|IMAGE|Photo credit|File photo)"
                             r"(?: [Cc]redit)?\s*[:|]\s*[A-Z][^.!?]{0,60}$")
_TWEET_SIGNATURE = re.compile(r"^[—–-]\s*.{1,80}\(@\w{1,20}\)\s*.{0,40}$")
_BARE_URL = re.compile(r"^(?:<)?(?:https?://|www\.)\S+$|^[\w.-]+\.(?:com|org|net|co\.uk|pk|in|af"
                       r"|news)(?:/\S*)?$",
                       re.IGNORECASE)
_HANDLES = re.compile(r"^(?:[@#][\w.]{1,40}[ ,]*)+$")
_BYLINE = re.compile(
    r"^(?:by|byline|written by|reported by|story by|words by|text by|posted by|author|authors)"
    r"\s*:?\s+(.{1,160})$",
    re.IGNORECASE)
_NAME_WORD = re.compile(
    r"(?:[A-Z][\w.'’-]*|and|&|of|the|de|van|von|der|den|da|dos|du|di|bin|bint|al|el|la|le|y|in|for|at|"
    r"with|staff|desk|reporter|correspondent|writer|editor|\d{1,2}(?:st|nd|rd|th)?|\d{4})",)
_CLOSERS = "\"'”’»)] "
_TEASER_ENDS = ("…", "...", "[…]", "[...]")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*|\d[\d,.:]*", re.UNICODE)
_STARTS_HEADLINE = re.compile(r"^[\"'“‘«]?[A-Z0-9À-Þ]")

_MONTH = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_WEEKDAY = (r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs?(?:day)?)?|fri(?:day)?|sat(?:urday)?|"
            r"sun(?:day)?")
_DATE_TOKEN = re.compile(
    rf"(?:{_MONTH}|{_WEEKDAY}|today|yesterday|just|now|ago|an?|hours?|hrs?|minutes?|mins?|seconds?|secs?|"
    r"days?|weeks?|months?|years?|at|on|of|the|am|pm|a\.m|p\.m|gmt|utc|bst|cet|cest|est|edt|cdt|cst|et|pt"
    r"|pst|"
    r"pdt|ist|pkt|aest|aedt|jst|hkt|sgt|msk|eat|wat|cat|updated?|published|posted|last|first|modified|"
    r"date|time|created|\d{1,4}(?:st|nd|rd|th)?|\d{1,2}[:.h]\d{2}(?::\d{2})?(?:am|pm)?|"
    r"\d{4}-\d{2}-\d{2}(?:t[\d:.]+(?:z|[+-]\d{2}:?\d{2})?)?|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})\.?",
    re.IGNORECASE)
_DATE_ANCHOR = re.compile(rf"^(?:{_MONTH}|ago|yesterday|today|\d{{4}}-\d{{2}}-\d{{2}}.*"
                          rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}})\.?$",
                          re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_DATE_LABEL = re.compile(r"(?:updated|published|posted|last (?:updated|modified)|first published|modified)\b",
                         re.IGNORECASE)
_DATE_SPLIT = re.compile(r"[\s,|·•()\[\]–—]+|(?<=\D)-|-(?=\D)")


def is_date_line(text: str) -> bool:
    """A line that is only a date, time or "3 hours ago" stamp, with an optional "Updated:" label."""
    if len(text) > 90 or (_DIGIT.search(text) is None and "ago" not in text.lower()):
        return False
    tokens = [t for t in _DATE_SPLIT.split(text.strip().rstrip(":")) if t and t != ":"]
    if not tokens or len(tokens) > 16:
        return False
    if not all(_DATE_TOKEN.fullmatch(t.rstrip(":")) for t in tokens):
        return False
    return any(_DATE_ANCHOR.match(t.rstrip(":")) for t in tokens)


def is_byline(text: str) -> bool:
    """ "By Jane Doe and John Roe, Reuters | Updated 3 hours ago", not "By Friday, the army had left." """
    m = _BYLINE.match(text)
    if m is None:
        return False
    parts = [p.strip() for p in re.split(r"[|·•]", m.group(1)) if p.strip()]
    names = parts[0].rstrip(".,")
    words = re.findall(r"[^\s,;]+", names)
    if not words or len(words) > 10 or not any(w[0].isupper() for w in words):
        return False
    if not all(_NAME_WORD.fullmatch(w) for w in words):
        return False
    return all(is_date_line(p) or is_byline("by " + p) or len(p.split()) <= 5 for p in parts[1:])


def ends_sentence(text: str) -> bool:
    """Ends with . ! or ?, possibly inside closing quotes or brackets."""
    return text.rstrip(_CLOSERS)[-1:] in (".", "!", "?")


def word_count(text: str) -> int:
    return len(text.split())


def is_prose(text: str) -> bool:
    """A paragraph that reads as running text: sentence punctuation at the end and enough words."""
    return ends_sentence(text) and word_count(text) >= 6


def is_headline_like(text: str) -> bool:
    """Short, capitalised, no sentence punctuation at the end: a headline, title or teaser link."""
    if len(text) > 250:
        return False
    n = word_count(text)
    if n < 2 or n > 25 or _STARTS_HEADLINE.match(text) is None:
        return False
    last = text.rstrip("\"'”’»)] ")[-1:] if text.rstrip("\"'”’»)] ") else ""
    return last not in ".,;:!?…-–—" and not text.rstrip().endswith(_TEASER_ENDS)


def is_teaser(text: str) -> bool:
    """A cut-off standfirst of another story: "Web desk: A devastating blast at a mosque has…"."""
    return text.rstrip().endswith(_TEASER_ENDS) and word_count(text) <= 60


_CRUMB_SEP = re.compile(r"\s+[»›>/|]\s+|\s*[»›]\s*")


def _is_breadcrumb(line: str) -> bool:
    """ "Home » World » Asia": short segments joined by navigation separators."""
    if not any(c in line for c in "»›>/|"):
        return False
    segments = [s for s in _CRUMB_SEP.split(line.strip()) if s]
    return (len(segments) >= 3 or (len(segments) == 2 and segments[0].lower() in ("home", "news"))) and all(
        word_count(s) <= 4 and not ends_sentence(s) for s in segments)


def is_chrome(line: str) -> bool:
    """Site furniture that is never part of an article body, judged on the line alone."""
    if len(line) > MAX_NOTICE_CHARS:
        return False
    if ("ookie" in line.lower() and _COOKIE.search(line) and _COOKIE_CONTEXT.search(line)
            and word_count(line) <= 70):
        return True
    if len(line) > MAX_CHROME_CHARS:
        return False
    words = core(line)
    if not words:
        return True  # only symbols: separators, bullets, emoji
    if _CHROME_FULL.fullmatch(words) or _BARE_URL.match(words) or _HANDLES.match(line.strip()):
        return True
    if _is_breadcrumb(line):
        return True
    short = word_count(line) <= 40
    if short and (_CHROME_LABEL.match(words) or _CHROME_PREFIX.match(words)):
        return True
    if _TWEET_SIGNATURE.match(line) or is_byline(words) or is_date_line(words):
        return True
    if not short:
        return False
    if line.endswith(")") and _CAPTION_CREDIT.search(line) is not None:
        return True
    return (":" in line[-80:] or "|" in line[-80:]) and _CAPTION_SUFFIX.search(line) is not None


@lru_cache(maxsize=1 << 16)
def classify(line: str) -> Kind:
    """The kind of one non-empty, normalised line (cached: the fixed-point passes and site chrome
    shared by many articles ask about the same lines again)."""
    if len(line) <= MAX_CHROME_CHARS:
        words = core(line)
        if words and _LIST_HEAD.fullmatch(words):
            return Kind.LIST_HEAD
        if words and is_date_line(words):  # "Updated: Nov 6" is chrome anywhere; a bare date may be content
            return Kind.CHROME if _DATE_LABEL.match(words) else Kind.DATE
    if is_chrome(line):
        return Kind.CHROME
    if is_teaser(line):
        return Kind.TEASER
    if is_headline_like(line):
        return Kind.HEADING
    return Kind.BODY


def outlet_from_footer(line: str) -> str | None:
    """The site named by a WordPress feed footer: "The post X appeared first on Site Name."."""
    m = re.search(r"\bappeared first on (.{1,60}?)\.?\s*$", line, re.IGNORECASE)
    return m.group(1).strip() or None if m else None


_TAGLINE = re.compile(
    r"^(?P<outlet>(?:The )?[A-Z][\w&.'’-]*(?: [A-Z][\w&.'’-]*){0,5}?)\s*(?:[|:–—-]\s*)?"
    r"(?:(?:Latest|Breaking|Today'?s|Top|Daily|Live|Trusted|Independent|Leading|Online|Your)\b.{0,80}"
    r"\b(?:News|Updates|Headlines|Analysis|Stories|Source|Newspaper|Journalism)\b.{0,80}"
    r"|(?:News|Updates|Headlines) (?:and|&) (?:Analysis|Views|Updates|Opinion)\b.{0,80}"
    r"|(?:News|Headlines|Updates) from\b.{0,80})$")


def tagline_outlet(line: str) -> str | None:
    """The outlet named by a closing tagline: "Afghanistan Times Latest News and Analysis from ..."."""
    if len(line) > 200 or word_count(line) > 20 or ends_sentence(line):
        return None
    m = _TAGLINE.match(line)
    return m.group("outlet").strip() if m else None
