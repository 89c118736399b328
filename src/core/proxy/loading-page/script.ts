/**
 * The loading page's script, served as /$berth/loading.js: follows the wake
 * on /$berth/wake-events (history replayed, then live), lists each event,
 * reloads into the app on `ready`; on `error` the page becomes the failure
 * variant (its own heading and title, the reason, a "Try again" link); when
 * the stream is refused for good it reloads the page after 3 s instead.
 * Plain ES2017, no build step, no dependencies.
 */
export const LOADING_JS = `(function () {
  'use strict';
  var list = document.getElementById('events');
  var status = document.getElementById('status');
  var errorBox = document.getElementById('error');
  var heading = document.getElementById('heading');
  var retry = document.getElementById('retry');
  var card = document.querySelector('.card');
  var done = false;
  function add(ev) {
    var li = document.createElement('li');
    li.className = 'ev ev-' + ev.event;
    li.setAttribute('data-event', ev.event);
    var t = document.createElement('time');
    t.textContent = (ev.ts || '').slice(11, 19);
    li.appendChild(t);
    li.appendChild(document.createTextNode(ev.message || ev.event));
    list.appendChild(li);
  }
  var source = new EventSource('/$berth/wake-events');
  // Refused for good (too many subscribers, route gone): try the page again in a moment.
  source.onerror = function () {
    if (!done && source.readyState === 2) setTimeout(function () { window.location.reload(); }, 3000);
  };
  source.addEventListener('wake', function (msg) {
    if (done) return;
    var ev;
    try { ev = JSON.parse(msg.data); } catch (e) { return; }
    add(ev);
    if (ev.event === 'ready') {
      done = true;
      source.close();
      status.textContent = 'Ready: opening the app…';
      window.location.reload();
    } else if (ev.event === 'error') {
      done = true;
      source.close();
      card.classList.add('failed');
      var failed = (card.getAttribute('data-container') || 'The app') + ' could not be woken';
      heading.textContent = failed;
      document.title = failed;
      status.textContent = 'The container could not be woken.';
      errorBox.textContent = ev.message || 'wake failed';
      errorBox.hidden = false;
      retry.hidden = false;
    } else {
      var left = ev.estimate ? ' (about ' + Math.ceil(ev.estimate.leftMs / 1000) + ' s left, an estimate from the last ' + ev.estimate.fromWakes + ' wakes)' : '';
      status.textContent = (ev.step ? 'Step ' + ev.step + ' of ' + ev.steps + ': ' : '') + (ev.message || ev.event) + left;
    }
  });
})();
`;
