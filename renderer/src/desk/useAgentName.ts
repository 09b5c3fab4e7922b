import { useCallback, useState } from 'react';

// Until SSO brings user accounts an agent is a display name, kept per browser. It names the agent in assignments,
// notes and replies, and the inbox's "Mine" filter is by it.
const storageKey = 'airdesk.agentName';

function storedName(): string | null {
  try {
    const name = window.localStorage.getItem(storageKey)?.trim();
    return name ? name : null;
  } catch {
    return null; // storage disabled by policy: the console asks again after a reload
  }
}

export interface AgentName {
  name: string | null;
  setName: (name: string) => void;
  clear: () => void;
}

export function useAgentName(): AgentName {
  const [name, setState] = useState<string | null>(storedName);
  const setName = useCallback((value: string) => {
    const trimmed = value.trim();
    try {
      window.localStorage.setItem(storageKey, trimmed);
    } catch {
      // the name lasts for this page only
    }
    setState(trimmed);
  }, []);
  const clear = useCallback(() => {
    try {
      window.localStorage.removeItem(storageKey);
    } catch {
      // nothing stored
    }
    setState(null);
  }, []);
  return { name, setName, clear };
}
