// Read back what bpmn-js draws and what our SVG draws, in the same browser page.
//
// Loaded into a page that already holds bpmn-js (window.BpmnJS, the navigated
// viewer).  Both probes return plain JSON with the same vocabulary, so the
// Python test compares like with like:
//   shapes:      id -> {type, bounds: [x, y, w, h], markers: [...], fill, stroke,
//                       label: {text, centre: [x, y], colour} | null}
//   connections: id -> {type, markers: [...], stroke, label: {...} | null}
// Positions are in diagram coordinates, measured from the rendered geometry
// (getBoundingClientRect mapped back through the layer's screen CTM), not
// copied from the XML.  Marker tokens are bpmn-js's own `data-marker` names
// where it sets them, otherwise the names below; our SVG writes the same names
// on the marker groups it actually draws.

(() => {
  'use strict';

  const TASK_ICONS = {
    'bpmn:UserTask': 'user',
    'bpmn:ManualTask': 'manual',
    'bpmn:ServiceTask': 'service',
    'bpmn:ScriptTask': 'script',
    'bpmn:BusinessRuleTask': 'business-rule',
    'bpmn:SendTask': 'send',
    'bpmn:ReceiveTask': 'receive',
  };
  // bpmn-js's precedence when an event has one definition (renderEventIcon).
  const EVENT_ICONS = [
    ['bpmn:MessageEventDefinition', 'message'],
    ['bpmn:TimerEventDefinition', 'timer'],
    ['bpmn:ConditionalEventDefinition', 'conditional'],
    ['bpmn:SignalEventDefinition', 'signal'],
    ['bpmn:EscalationEventDefinition', 'escalation'],
    ['bpmn:LinkEventDefinition', 'link'],
    ['bpmn:ErrorEventDefinition', 'error'],
    ['bpmn:CancelEventDefinition', 'cancel'],
    ['bpmn:CompensateEventDefinition', 'compensation'],
    ['bpmn:TerminateEventDefinition', 'terminate'],
  ];
  const GATEWAY_MARKERS = {
    'bpmn:ExclusiveGateway': 'exclusive',
    'bpmn:ParallelGateway': 'parallel-gateway',
    'bpmn:InclusiveGateway': 'inclusive',
    'bpmn:ComplexGateway': 'complex',
    'bpmn:EventBasedGateway': 'event-based',
  };
  const SHAPE_TAGS = new Set(['rect', 'circle', 'ellipse', 'polygon', 'polyline', 'path', 'line']);

  function toDiagram(layer) {
    const inverse = layer.getScreenCTM().inverse();
    return (el) => {
      const r = el.getBoundingClientRect();
      const a = new DOMPoint(r.left, r.top).matrixTransform(inverse);
      const b = new DOMPoint(r.right, r.bottom).matrixTransform(inverse);
      return [a.x, a.y, b.x - a.x, b.y - a.y];
    };
  }

  function centre(box) {
    return [box[0] + box[2] / 2, box[1] + box[3] / 2];
  }

  function colour(el, property) {
    return el ? getComputedStyle(el)[property] : null;
  }

  function textOf(textEl) {
    return Array.from(textEl.querySelectorAll('tspan')).map((t) => t.textContent).join(' ');
  }

  // ------------------------------------------------------------------ bpmn-js

  function eventIcon(bo) {
    const definitions = bo.eventDefinitions || [];
    if (definitions.length > 1) {
      return bo.parallelMultiple ? 'parallel-multiple' : 'multiple';
    }
    for (const [type, token] of EVENT_ICONS) {
      if (definitions.some((d) => d.$type === type)) {
        return token;
      }
    }
    return null;
  }

  function bpmnMarkers(element, visual) {
    const bo = element.businessObject;
    const markers = new Set();
    visual.querySelectorAll('[data-marker]').forEach((m) => markers.add(m.getAttribute('data-marker')));
    visual.querySelectorAll('path:not([data-marker])').forEach((p) => {
      const d = p.getAttribute('d') || '';
      if (/m 3,2 l 0,10 m 3,-10 l 0,10/.test(d)) {
        markers.add('collection');
      } else if (d.startsWith('m 5,9 9,0 0,-3 5,5')) {
        markers.add(getComputedStyle(p).fill === 'none' ? 'data-input' : 'data-output');
      } else if (/m -10\.5 ,-7 l 0,14 l 21,0 l 0,-14 z/.test(d)) {
        const white = getComputedStyle(p).fill === 'rgb(255, 255, 255)';
        markers.add(white ? 'message-initiating' : 'message-non-initiating');
      }
    });
    if (TASK_ICONS[element.type]) {
      markers.add(TASK_ICONS[element.type]);
    }
    if (element.type.endsWith('Event')) {
      const icon = eventIcon(bo);
      if (icon) {
        markers.add(icon);
      }
    }
    if (GATEWAY_MARKERS[element.type] && visual.children.length > 1) {
      markers.add(GATEWAY_MARKERS[element.type]);
    }
    return Array.from(markers).sort();
  }

  function bpmnLabel(registry, element, visual, box) {
    const label = element.label && !element.label.hidden ? element.label : null;
    if (!label && element.waypoints) {
      return null; // a connection's own text is its message name, reported separately
    }
    const gfx = label ? registry.getGraphics(label) : visual;
    const text = gfx && gfx.querySelector('text');
    if (!text || !textOf(text).trim()) {
      return null;
    }
    return { text: textOf(text), centre: centre(box(text)), colour: colour(text, 'fill') };
  }

  async function probeBpmnJs(viewer, load) {
    const result = { error: null, warnings: [], shapes: {}, connections: {} };
    try {
      const imported = await load();
      result.warnings = (imported.warnings || []).map((w) => String(w.message || w));
    } catch (error) {
      result.error = String(error.message || error);
      return result;
    }
    const registry = viewer.get('elementRegistry');
    const canvas = viewer.get('canvas');
    const root = canvas.getRootElement();
    const box = toDiagram(canvas._viewport);
    const rootOf = (e) => {
      while (e.parent) {
        e = e.parent;
      }
      return e;
    };
    for (const element of registry.getAll()) {
      if (element.type === 'label' || !element.businessObject || element.hidden || rootOf(element) !== root) {
        continue;
      }
      if (element === root) {
        continue;
      }
      const gfx = registry.getGraphics(element);
      const visual = gfx && gfx.querySelector('.djs-visual');
      if (!visual) {
        continue;
      }
      const body = Array.from(visual.children).find((c) => SHAPE_TAGS.has(c.tagName)) || null;
      const entry = {
        type: element.type,
        markers: bpmnMarkers(element, visual),
        fill: colour(body, 'fill'),
        stroke: colour(body, 'stroke'),
        label: bpmnLabel(registry, element, visual, box),
      };
      if (element.waypoints) {
        const text = visual.querySelector('text');
        entry.message = text && textOf(text).trim() ? textOf(text) : null;
        result.connections[element.id] = entry;
      } else {
        entry.bounds = [element.x, element.y, element.width, element.height];
        result.shapes[element.id] = entry;
      }
    }
    return result;
  }

  // ------------------------------------------------------------------ our SVG

  function ourMarkers(group) {
    const markers = new Set();
    group.querySelectorAll('[data-marker]').forEach((m) => {
      if (m.querySelector('*') || SHAPE_TAGS.has(m.tagName)) {
        markers.add(m.getAttribute('data-marker'));
      }
    });
    return Array.from(markers).sort();
  }

  function ourBody(group) {
    return Array.from(group.children).filter((c) => SHAPE_TAGS.has(c.tagName) && !c.hasAttribute('transform'));
  }

  function probeOurs(holder, svgText) {
    holder.innerHTML = svgText;
    const svg = holder.querySelector('svg');
    const layer = svg.querySelector('g.bpmn-layers') || svg;
    const box = toDiagram(layer);
    const result = { shapes: {}, connections: {} };
    svg.querySelectorAll('g[data-element-id]').forEach((group) => {
      const id = group.getAttribute('data-element-id');
      const classes = group.classList;
      const connection = classes.contains('bpmn-connector');
      const target = connection ? result.connections : result.shapes;
      if (id in target) {
        return; // the first drawing of an id is the one that counts
      }
      const parts = ourBody(group);
      const body = parts.find((p) => !p.classList.contains('b-line')) || parts[0] || null;
      const texts = Array.from(group.querySelectorAll(':scope > text.b-label:not(.b-message-name)'));
      let label = null;
      if (texts.length) {
        const text = texts[0];
        const title = text.querySelector('title');
        const boxes = texts.map(box);
        const left = Math.min(...boxes.map((b) => b[0]));
        const top = Math.min(...boxes.map((b) => b[1]));
        const right = Math.max(...boxes.map((b) => b[0] + b[2]));
        const bottom = Math.max(...boxes.map((b) => b[1] + b[3]));
        label = {
          text: title ? title.textContent : texts.map(textOf).join(' '),
          centre: [(left + right) / 2, (top + bottom) / 2],
          colour: colour(text, 'fill'),
          box: [left, top, right - left, bottom - top],
          size: parseFloat(text.getAttribute('font-size')),
          cut: Boolean(title),
        };
      }
      const entry = {
        type: Array.from(classes).filter((c) => c.startsWith('bpmn-')).join(' '),
        markers: ourMarkers(group),
        fill: colour(body, 'fill'),
        stroke: colour(body, 'stroke'),
        label,
      };
      if (connection) {
        const message = group.querySelector(':scope > text.b-message-name');
        entry.message = message ? textOf(message) : null;
      } else {
        let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
        for (const part of parts) {
          const b = box(part);
          left = Math.min(left, b[0]);
          top = Math.min(top, b[1]);
          right = Math.max(right, b[0] + b[2]);
          bottom = Math.max(bottom, b[1] + b[3]);
        }
        entry.bounds = parts.length ? [left, top, right - left, bottom - top] : null;
      }
      target[id] = entry;
    });
    holder.innerHTML = '';
    return result;
  }

  // ------------------------------------------------------------------ batch entry point

  // files: [{key, xml, diagrams: [{key, id, svg}]}]; each file is parsed once, its diagrams opened in turn.
  window.compareBatch = async (files) => {
    const holder = document.getElementById('ours');
    if (!window.__viewer) {
      window.__viewer = new window.BpmnJS({ container: document.getElementById('canvas') });
    }
    const viewer = window.__viewer;
    const out = [];
    for (const file of files) {
      let parsed = false;
      for (const diagram of file.diagrams) {
        let theirs;
        if (!parsed) {
          theirs = await probeBpmnJs(viewer, () => viewer.importXML(file.xml, diagram.id || undefined));
          parsed = theirs.error === null;
        } else {
          theirs = await probeBpmnJs(viewer, () => viewer.open(diagram.id));
        }
        const ours = diagram.svg ? probeOurs(holder, diagram.svg) : null;
        out.push({ key: diagram.key, theirs, ours });
      }
    }
    return out;
  };
})();
