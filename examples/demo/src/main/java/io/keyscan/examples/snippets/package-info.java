/**
 * The Java code shown in the README and in {@code docs/}: each {@code tag::name[]} region here is copied
 * verbatim into the Markdown block marked {@code <!-- snippet: name -->}, and {@code DocSnippetsTest} fails
 * when the two differ, so the documentation compiles with the API it describes. Edit the code here, then run
 * {@code ./mvnw -q -pl examples/demo -am test -Dtest=DocSnippetsTest -Dsnippets.update=true} to copy it into
 * the documents.
 */
package io.keyscan.examples.snippets;
