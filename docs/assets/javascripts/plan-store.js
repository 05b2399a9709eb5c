// "My plan" in the browser's storage: the measures a reader chose, with their
// figures. Nothing is sent anywhere; export/import files move a plan.
(function (root) {
  "use strict";
  const KEY = "cpkb-plan-v1";
  const STATUSES = ["planned", "in_progress", "done"];

  function load() {
    try {
      const data = JSON.parse(root.localStorage.getItem(KEY) || "null");
      return data && Array.isArray(data.items) ? data : {items: []};
    } catch (e) {
      return {items: []};
    }
  }

  function save(plan) {
    root.localStorage.setItem(KEY, JSON.stringify(plan));
  }

  // A measure enters the plan once; adding it again updates its figures and keeps
  // the status, responsible person and date the reader already set.
  function upsert(item) {
    const plan = load();
    const old = plan.items.find((i) => i.id === item.id);
    if (old) Object.assign(old, item, {status: old.status, owner: old.owner, due: old.due});
    else plan.items.push(Object.assign({status: "planned", owner: "", due: ""}, item));
    save(plan);
    return plan;
  }

  function remove(id) {
    const plan = load();
    plan.items = plan.items.filter((i) => i.id !== id);
    save(plan);
    return plan;
  }

  function update(id, changes) {
    const plan = load();
    const item = plan.items.find((i) => i.id === id);
    if (item) Object.assign(item, changes);
    save(plan);
    return plan;
  }

  const data = root.cpkbPlannerData || {labels: {}};
  const t = (key, values) => String(data.labels[key] || key).replace(/\{(\w+)\}/g, (_, k) => (values && k in values ? values[k] : ""));

  root.cpkbPlan = {load, save, upsert, remove, update, STATUSES, t, data, KEY};
})(window);
