/**
 * Word lists for the built-in corpus. Written for this project; combined by the templates in
 * prompts.ts into varied prompts of every kind the benchmark needs.
 */

export const NAMES = [
  'Amara',
  'Bruno',
  'Chen',
  'Dalia',
  'Emeka',
  'Freya',
  'Gustavo',
  'Hana',
  'Ivan',
  'Jolene',
  'Kenji',
  'Leila',
  'Mateo',
  'Nadia',
  'Oskar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sami',
  'Tomas',
  'Uma',
  'Viktor',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zofia',
];

export const ITEMS = [
  'apples',
  'marbles',
  'stickers',
  'pencils',
  'cupcakes',
  'books',
  'seashells',
  'tickets',
  'postcards',
  'bottles of juice',
  'tomato plants',
  'comic books',
  'paper cranes',
  'eggs',
];

export const TOPICS = [
  'the history of the printing press',
  'how vaccines train the immune system',
  'the causes of inflation',
  'why the sky is blue',
  'the rules of chess openings',
  'photosynthesis',
  'the water cycle',
  'compound interest',
  'the French Revolution',
  'black holes',
  'how bread rises',
  'plate tectonics',
  'the stock market',
  'jazz improvisation',
  'container shipping',
  'sleep and memory',
  'urban beekeeping',
  'public key cryptography',
  'the Silk Road',
  'coral reef bleaching',
  'electric car batteries',
  'the Roman aqueducts',
];

export const AUDIENCES = [
  'a ten-year-old',
  'a busy manager',
  'a first-year student',
  'my grandmother',
  'a new hire',
  'someone who hates maths',
  'an expert',
  'a podcast audience',
];

export const FORMS = [
  'a short poem',
  'a haiku',
  'a limerick',
  'a product description',
  'a cover letter',
  'a wedding toast',
  'a bedtime story',
  'a tweet thread',
  'a two-paragraph essay',
  'a slogan',
];

export const THINGS = [
  'remote work',
  'electric scooters',
  'open-plan offices',
  'nuclear power',
  'homeschooling',
  'microservices',
  'a four-day week',
  'standing desks',
  'public transport',
  'social media',
  'learning Latin',
  'renting versus buying',
  'index funds',
  'solar panels',
];

export const LANGS = ['Python', 'JavaScript', 'TypeScript', 'Go', 'Rust', 'Java', 'C++', 'SQL'];

export const CODE_TASKS = [
  ['reverses a string', 'reverse', 'return s[::-1]'],
  ['checks whether a number is prime', 'is_prime', 'return n > 1 and all(n % d for d in ...)'],
  ['counts the vowels in a sentence', 'count_vowels', 'return sum(c in "aeiou" for c in s)'],
  ['merges two sorted lists', 'merge_sorted', 'return sorted(a + b)'],
  ['finds the largest element of an array', 'largest', 'return max(xs)'],
  ['removes duplicates from a list while keeping order', 'dedupe', 'return list(dict(xs))'],
  ['computes the nth Fibonacci number', 'fib', 'a, b = b, a + b'],
  ['parses a date string in ISO format', 'parse_date', 'return date.fromisoformat(s)'],
  ['validates an email address', 'is_email', 'return "@" in s and "." in s'],
  ['flattens a nested list', 'flatten', 'return [y for x in xs for y in x]'],
  ['converts Celsius to Fahrenheit', 'to_fahrenheit', 'return c * 9 / 5 + 32'],
  ['groups words by their first letter', 'group_by_initial', 'groups[w[0]].append(w)'],
  ['reads a CSV file and sums a column', 'sum_column', 'total += float(row[col])'],
  ['checks whether a string is a palindrome', 'is_palindrome', 'return s == s[::-1]'],
] as const;

export const BANK_INTENTS: Record<string, string[]> = {
  card_arrival: ['my new card has not arrived yet', 'when will my card be delivered'],
  lost_or_stolen_card: ['I lost my card', 'someone stole my wallet with my card'],
  transfer_not_received: ['my transfer has not reached the other account', 'money sent is missing'],
  exchange_rate: ['what exchange rate do you use', 'why was the exchange rate so bad'],
  card_payment_declined: ['my card was declined at a shop', 'why does my payment keep failing'],
  pending_top_up: ['my top up is still pending', 'the top up has not gone through'],
  change_pin: ['how do I change my PIN', 'I want a new PIN for my card'],
  refund_not_showing: ['I am still waiting for a refund', 'the refund is not in my account'],
  verify_identity: ['why do you need to verify my identity', 'how do I verify who I am'],
  cash_withdrawal_charge: ['why was I charged for taking out cash', 'ATM fee on my statement'],
};

export const BANK_OPENERS = ['', 'Hi, ', 'Hello, ', 'Please help, ', 'Quick question: ', 'Hey - '];

export const PLACE_PREFIXES = ['Lake', 'Mount', 'Port', 'Fort', 'Saint', 'Glen', 'North', 'New'];

export const PLACE_STEMS = [
  'Verona',
  'Kessel',
  'Alder',
  'Halden',
  'Imre',
  'Queensmere',
  'Ashby',
  'Corran',
  'Delling',
  'Brisk',
  'Tamsin',
  'Orrin',
];

export const ROLES = [
  ['travel guide', 'I will tell you where I am and you suggest places to visit nearby.'],
  ['Linux terminal', 'I will type commands and you reply with what the terminal shows.'],
  ['career coach', 'I will describe my situation and you give practical advice.'],
  ['SQL tutor', 'I will ask about queries and you explain them step by step.'],
  ['poet', 'I will give you a theme and you write a poem about it.'],
  ['interviewer', 'I will be the candidate and you ask me questions for the position.'],
  ['chef', 'I will list my ingredients and you suggest a recipe.'],
  ['debate coach', 'I will give you a motion and you help me prepare arguments.'],
  ['English translator', 'I will speak in any language and you answer in polished English.'],
  ['fitness trainer', 'I will give you my goals and you design a plan.'],
  ['storyteller', 'You come up with entertaining stories for the audience I name.'],
  ['spreadsheet', 'You reply only with the text of a spreadsheet with rows and columns.'],
];

export const FILLER = [
  'In practice this depends on the context and on the constraints you are working with.',
  'A useful way to think about it is to separate the goal from the method.',
  'The main trade-off is between simplicity and flexibility.',
  'Most people find that starting small and iterating works best.',
  'There are a few common pitfalls worth keeping in mind.',
  'Evidence from several studies points in the same direction.',
  'It helps to check the assumptions before drawing a conclusion.',
  'Here the details matter more than the headline figure.',
  'A concrete example makes the idea clearer.',
  'Over time the effect compounds, which is why it is worth planning early.',
  'The simplest explanation is usually the right place to start.',
  'If you need more detail, each step can be expanded further.',
];
