// The Fleet view's inline action form: cordon, uncordon and drain each need a reason (the GPU's
// row shows it to the next operator), and chaos mode adds "Inject XID". An inline form rather
// than prompt(): it is keyboard-reachable, shows the server's refusal in place, and blocks nothing.

import {api, enc} from './api.js';
import {el} from './dom.js';
import {store} from './store.js';

const XID_CODES = [13, 31, 43, 45, 48, 61, 62, 63, 64, 74, 79, 92, 94, 95];
const OPERATOR_KEY = 'baton.operator';
const LABELS = {cordon: 'Cordon', uncordon: 'Uncordon', drain: 'Drain', xid: 'Inject XID'};

export class ActionForm {
  constructor(view) {
    this.view = view;
    this.tr = null;
    this.gpu = null;
    this.action = null;
  }

  open(gpu, action) {
    this.close(false);
    const row = this.view.rowElement(gpu);
    if (!row) return;
    this.gpu = gpu;
    this.action = action;
    this.error = el('span', {class: 'form-error', role: 'alert'});
    // novalidate: the page says what is missing itself, in the form's alert, rather than in a
    // browser tooltip that a screen reader may not announce.
    const form = el('form', {class: 'action-form', novalidate: true, dataset: {action}, onsubmit: (e) => this.submit(e)},
      el('strong', {text: `${LABELS[action]} ${gpu}`}),
      action === 'xid' ? this.xidFields() : this.reasonFields(),
      el('button', {type: 'submit', class: 'primary', text: LABELS[action]}),
      el('button', {type: 'button', text: 'Cancel', onclick: () => this.close(true)}),
      this.error);
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close(true);
    });
    this.tr = el('tr', {class: 'action-row', dataset: {gpu}},
      el('td', {colspan: this.view.columns()}, form));
    row.after(this.tr);
    this.first.focus();
  }

  reasonFields() {
    const id = `reason-${Date.now()}`;
    this.reason = el('input', {id, name: 'reason', type: 'text', required: true, maxlength: 500,
      placeholder: 'why (shown to every operator)', class: 'reason-input', autocomplete: 'off'});
    this.by = el('input', {id: `${id}-by`, name: 'by', type: 'text', class: 'by-input', maxlength: 100,
      value: sessionStorage.getItem(OPERATOR_KEY) || 'console', autocomplete: 'off'});
    this.first = this.reason;
    return [
      el('label', {for: id, text: 'Reason'}), this.reason,
      el('label', {for: `${id}-by`, text: 'Who'}), this.by,
    ];
  }

  xidFields() {
    const id = `xid-${Date.now()}`;
    this.code = el('select', {id, name: 'code', class: 'xid-code'},
      XID_CODES.map((c) => el('option', {value: String(c), text: String(c)})));
    this.code.value = '79';
    this.first = this.code;
    return [el('label', {for: id, text: 'XID code'}), this.code];
  }

  /** After the table was rebuilt: the form goes back under its GPU, or away with it. */
  reattach() {
    if (!this.tr) return;
    const row = this.view.rowElement(this.gpu);
    if (!row) this.close(false);
    else if (row.nextElementSibling !== this.tr) row.after(this.tr);
  }

  close(refocus) {
    if (!this.tr) return;
    const {gpu, action} = this;
    this.tr.remove();
    this.tr = null;
    this.gpu = null;
    if (refocus) {
      const row = this.view.rowElement(gpu);
      const button = row && row.querySelector(`button[data-action="${action}"]`);
      if (button) button.focus();
    }
  }

  async submit(e) {
    e.preventDefault();
    const {gpu, action} = this;
    this.error.textContent = '';
    let path;
    let body;
    if (action === 'xid') {
      path = `/admin/chaos/workers/${enc(gpu)}/xid`;
      body = {code: Number(this.code.value)};
    } else {
      const reason = this.reason.value.trim();
      if (!reason) {
        this.error.textContent = 'A reason is required.';
        this.reason.focus();
        return;
      }
      const by = this.by.value.trim() || 'console';
      sessionStorage.setItem(OPERATOR_KEY, by);
      path = `/admin/workers/${enc(gpu)}/${action}`;
      body = {reason, by};
    }
    const buttons = this.tr.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const answer = await api(path, {method: 'POST', body});
      if (action !== 'xid' && answer && answer.id) {
        store.workers.set(answer.id, answer);
        this.view.patchRow(answer);
      }
      this.close(true);
      if (action === 'xid' && answer) {
        this.view.app.notify(`XID ${answer.code} injected on ${gpu}: ${answer.class} (${answer.action})`);
      }
      // The feed patches the row within the second; these refetches are the fallback.
      this.view.refreshSoon();
      setTimeout(() => this.view.refresh(), 1000);
    } catch (err) {
      if (this.tr) {
        buttons.forEach((b) => { b.disabled = false; });
        this.error.textContent = err.message;
      }
    }
  }
}
