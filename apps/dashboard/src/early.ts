// Loaded by index.html before the app: a logged-in load of the overview asks for its first-screen
// spend at once, instead of after the app's code has downloaded and started (overview-data.ts).
import { askEarly } from './overview-data';

if (localStorage.getItem('tokenledger.token')) askEarly();
