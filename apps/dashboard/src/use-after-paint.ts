import { useEffect, useState } from 'react';

/**
 * False until `ready` has been true for one painted frame, then true for good: for drawing that is
 * costly and secondary (a chart), so that what is ready beside it reaches the screen first.
 */
export function useAfterPaint(ready: boolean): boolean {
  const [after, setAfter] = useState(false);
  useEffect(() => {
    if (!ready || after) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The callback of the next frame runs before that frame is painted; the timeout, after it.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setAfter(true), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [ready, after]);
  return after;
}
