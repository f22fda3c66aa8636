"""The chat page's own styles and scripts: what runs in the browser, kept apart from the Python that serves it.

``ui.app`` wires each script to its event; ``ui.server`` passes the styles to ``launch``.
"""

# The page's own styles, passed to ``launch`` (Gradio 6 takes them there). The highlight's colours are fixed, not
# the theme's: in dark mode the theme's light text on the browser's yellow <mark> cannot be read.
# Gradio 6.31 ships SourceSansPro-SemiBold.woff2 as a Cyrillic subset holding "A" and "B" only, so text at weight
# 600 (the page's title, its buttons) drew those letters in Source Sans and the rest in a fallback: the title's
# first letter stood out. The complete bold face, which Gradio also serves, is declared later for weight 600.
CSS = """
@font-face {
  font-family: "Source Sans Pro"; font-style: normal; font-weight: 600;
  src: url("static/fonts/SourceSansPro/SourceSansPro-Bold.woff2") format("woff2");
}
#chat .qa-reply mark, #viewer mark { background-color: #ffe27a; color: #1b1b1b; padding: 0 0.1em; border-radius: 2px; }
#chat .qa-follows { font-size: 0.85em; margin-bottom: 0.25em; }
.qa-open { font-size: 0.85em; white-space: nowrap; }
#sources .qa-title { font-style: italic; }
#sources .qa-opening { font-size: 0.9em; }
#viewer .qa-document {
  white-space: pre-wrap; max-height: 420px; overflow-y: auto; padding: 0.5em 0.75em;
  border: 1px solid var(--border-color-primary); border-radius: var(--radius-md);
}
"""

# The viewer's links: a click on "open in document" (``ui.render.open_link``, in the chat or the side panel) asks
# the server for the document (the viewer's click event, with the link's source and offsets); "close" empties it.
# Registered once on the page, in the capture phase, so the chat's own handling of links never sees these.
OPEN_LINKS = """
const opened = (event) => {
  const link = event.target.closest && event.target.closest('a.qa-open, a.qa-close');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  if (link.classList.contains('qa-close')) { props.value = ''; return; }
  const query = new URLSearchParams(link.getAttribute('href').split('?')[1] || '');
  trigger('click', {source: query.get('source'), start: Number(query.get('start')), end: Number(query.get('end'))});
};
if (window.qaOpenLinks) document.removeEventListener('click', window.qaOpenLinks, true);
window.qaOpenLinks = opened;
document.addEventListener('click', opened, true);
"""

# Once the viewer shows the document just asked for (its place line, read from the new value, is on the page),
# its text is scrolled to put the mark a third of the way down, and the viewer is brought on screen.
SHOW_MARK = """
(html) => {
  const wanted = new DOMParser().parseFromString(html || '', 'text/html').querySelector('.qa-viewer-place');
  const started = Date.now();
  const show = () => {
    const place = document.querySelector('#viewer .qa-viewer-place');
    const mark = document.querySelector('#viewer #qa-viewer-mark');
    if (!wanted || !place || !mark || place.textContent !== wanted.textContent) {
      if (wanted && Date.now() - started < 5000) setTimeout(show, 50);
      return;
    }
    const text = mark.closest('.qa-document');
    text.scrollTop += mark.getBoundingClientRect().top - text.getBoundingClientRect().top - text.clientHeight / 3;
    document.querySelector('#viewer').scrollIntoView({block: 'nearest'});
  };
  setTimeout(show, 50);
}
"""

# A reload gives the page a new Gradio session: the tab's earlier session id, kept in its sessionStorage (one per
# tab, kept across reloads, gone with the tab), is sent on loading, so the server hands that session's uploads
# over (``SessionRegistry.adopt``); the page then keeps its new id there.
# The conversation is kept there too (``Chat.remember``), so a reload shows it again and a follow-up asked after it
# is still read in its light; it leaves with the tab, and no server holds it.
SESSION_KEY = "qa-chat-session"
CONVERSATION_KEY = "qa-chat-conversation"
EARLIER_SESSION = f"""
() => {{
  let kept = null;
  try {{ kept = JSON.parse(sessionStorage.getItem('{CONVERSATION_KEY}') || 'null'); }} catch (error) {{}}
  return [sessionStorage.getItem('{SESSION_KEY}') || '', kept];
}}
"""
KEEP_SESSION = f"(id) => {{ if (id) sessionStorage.setItem('{SESSION_KEY}', id); }}"
FORGET_CONVERSATION = f"() => sessionStorage.removeItem('{CONVERSATION_KEY}')"  # at once, as "Clear chat" is clicked
KEPT_MESSAGES = 200  # the latest messages a reload shows again (a tab's storage holds a few megabytes)
# The chat's changes are kept by round trips that may come back out of order (a reply's can land after "Clear chat"
# has emptied the chat): what comes back is written only when it holds as many messages as the chat shows now.
KEEP_CONVERSATION = f"""
(kept, shown) => {{
  const messages = (kept && kept.messages) || [];
  if (messages.length !== Math.min((shown || []).length, {KEPT_MESSAGES})) return;
  try {{ sessionStorage.setItem('{CONVERSATION_KEY}', JSON.stringify(kept)); }}
  catch (error) {{ sessionStorage.removeItem('{CONVERSATION_KEY}'); }}
}}
"""

# After a reply: its first lines (the quote or what the document says, then the confidence) at the top of the chat,
# below the chat's label (48 px), and the chat's top on screen. Gradio's autoscroll (off: it ran after this and
# undid it) shows the end of a long reply, and on a phone the quote sits above the screen. Every assistant message
# is one block (``ui.render``), but Gradio renders the Markdown a moment after the event ends, so this waits (at
# most 5 s) until the page holds as many blocks as the chat has assistant messages.
SHOW_REPLY = """
(messages) => {
  const expected = (messages || []).filter((m) => m.role === 'assistant').length;
  const started = Date.now();
  const scrolls = (node) =>
    node.scrollHeight > node.clientHeight && /(auto|scroll)/.test(getComputedStyle(node).overflowY);
  const show = () => {
    const blocks = document.querySelectorAll('#chat .qa-reply, #chat .qa-notice');
    if (!expected || blocks.length < expected) {
      if (expected && Date.now() - started < 5000) setTimeout(show, 50);
      return;
    }
    const last = blocks[blocks.length - 1];
    const lead = last.firstElementChild || last;
    let chat = last.parentElement;
    while (chat && !scrolls(chat)) chat = chat.parentElement;
    if (chat) chat.scrollTop += lead.getBoundingClientRect().top - chat.getBoundingClientRect().top - 48;
    const meta = last.querySelector('.qa-meta');
    if (meta) meta.scrollIntoView({block: 'nearest'});
    lead.scrollIntoView({block: 'nearest'});
  };
  setTimeout(show, 50);
}
"""
